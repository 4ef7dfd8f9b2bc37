using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Runtime;

namespace Workflows.Engine.Store;

/// <summary>
/// Group commit: one writer takes the task rows and history of many tasks and commits them in one
/// transaction as soon as it is free; each caller awaits its own commit. A batch that fails is
/// retried item by item so one bad row cannot fail its neighbours.
/// </summary>
public sealed class TaskWriter : IAsyncDisposable
{
    sealed record Item(TaskRow Row, bool IsNew, string? Steps, long HistoryAt, SumDelta[]? Sums, TaskCompletionSource Done)
    {
        /// <summary>A task taken from a queue by this one: written in the same transaction.</summary>
        public Item? With { get; init; }
    }

    readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    readonly EngineOptions _options;
    readonly NodeCounters _counters;
    readonly ILogger _log;
    readonly StoreProvider _store;
    readonly NodeMembership _node;
    BatchWriter? _writer;
    Task? _loop;

    readonly IdGenerator _ids;

    public TaskWriter(StoreProvider store, NodeMembership node, EngineOptions options, NodeCounters counters, IdGenerator ids, ILogger<TaskWriter> log)
    {
        _store = store;
        _node = node;
        _ids = ids;
        _options = options;
        _counters = counters;
        _log = log;
    }

    public long Batches { get; private set; }

    /// <summary>Moves when a commit starts and again when it ends: a view read before it or during it is then known to be old.</summary>
    public long CommitMarks => Interlocked.Read(ref _commitMarks);
    long _commitMarks;
    public long Rows { get; private set; }
    /// <summary>Time spent writing and committing, for benchmarks and /health.</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(_busyTicks);
    long _busyTicks;

    public void Start()
    {
        _writer = _store.OpenBatchWriter(_node);
        // Own thread, not the thread pool's: a commit blocks in fsync (see Threads.Start).
        _loop = Threads.Start("workflows-writer", Loop);
        _upkeep = _store.StartUpkeep(_log, _stop.Token);
    }

    Task? _upkeep;
    readonly CancellationTokenSource _stop = new();

    /// <summary>Snapshots the task and its pending steps now (and a task it took from a queue); completes when they are committed.</summary>
    public Task Save(TaskState task)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var item = Snapshot(task, done) with { With = task.Taken is { } taken ? Snapshot(taken.Task, done) : null };
        if (!_queue.Writer.TryWrite(item))
            done.SetException(new InvalidOperationException("The engine is stopping."));
        return done.Task;
    }

    Item Snapshot(TaskState task, TaskCompletionSource done)
    {
        var row = ToRow(task);
        row.Owner = _node.NodeId;
        string? steps = null;
        if (task.Pending.Count > 0)
        {
            steps = JsonSerializer.Serialize(task.Pending, StoreJson.Options);
            task.Pending.Clear();
        }
        SumDelta[]? sums = null;
        if (task.PendingSums.Count > 0)
        {
            sums = [.. task.PendingSums];
            task.PendingSums.Clear();
        }
        return new Item(row, !task.Stored, steps, task.ChangedAt.ToUnixTimeMilliseconds(), sums, done);
    }

    internal static TaskRow ToRow(TaskState task) => new()
    {
        Id = task.Id,
        ConvId = task.ConvId,
        Version = task.Version,
        Ref = task.Ref,
        NodeId = task.NodeId,
        Status = task.Status.Wire(),
        Result = task.Result,
        Data = TaskJson.Text(task.Data),
        WaitKind = task.Wait?.Kind,
        WaitKey = task.Wait?.Key,
        WakeAt = task.Wait?.DueAt?.ToUnixTimeMilliseconds(),
        TimeoutAt = task.Wait?.TimeoutAt?.ToUnixTimeMilliseconds(),
        Visits = task.Visits.Count == 0 ? null : JsonSerializer.Serialize(task.Visits),
        ReplyTo = task.ReplyTo,
        Depth = task.Depth,
        CreatedAt = task.CreatedAt.ToUnixTimeMilliseconds(),
        ChangedAt = task.ChangedAt.ToUnixTimeMilliseconds(),
        Test = task.Test?.ToJson(),
    };

    void Loop()
    {
        var batch = new List<Item>();
        var reader = _queue.Reader;
        while (reader.TryPeek(out _) || reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && reader.TryRead(out var item)) batch.Add(item);
            try
            {
                Answer(batch, Write(batch, withStats: true));
            }
            catch (NodeFencedException e)
            {
                // Another node has this node's work: nothing of this node's may be committed any more.
                foreach (var item in batch) item.Done.TrySetException(e);
                _node.RaiseFenced();
            }
            catch (Exception e) when (batch.Count > 1)
            {
                _log.LogWarning(e, "A batch of {Count} task writes failed; retrying them one by one", batch.Count);
                foreach (var item in batch)
                {
                    try { Answer([item], Write([item], withStats: false)); }
                    catch (Exception one) { item.Done.TrySetException(one); }
                }
            }
            catch (Exception e)
            {
                _log.LogError(e, "A task write failed");
                foreach (var item in batch) item.Done.TrySetException(e);
            }
        }
    }

    static void Answer(List<Item> batch, HashSet<TaskRow>? lost)
    {
        foreach (var item in batch)
            if (lost?.Contains(item.Row) == true) item.Done.TrySetException(new TaskLostException(item.Row.Id));
            else item.Done.TrySetResult();
    }

    /// <summary>Commits the batch; answers the rows another node's takeover kept out (null when none).</summary>
    HashSet<TaskRow>? Write(List<Item> batch, bool withStats)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var writes = new List<TaskWrite>(batch.Count);
        foreach (var item in batch)
            for (var one = item; one is not null; one = one.With)
                writes.Add(new TaskWrite(one.Row, one.IsNew, one.Steps, one.HistoryAt, one.Steps is null ? 0 : _ids.Next(), one.Sums));
        List<StatDelta> stats = [];
        if (withStats)
            // In key order: the rows are this node's own (BatchWriter.AddStats), but a process's delete on another connection locks them in that order too.
            foreach (var (conv, node, entered, left) in _counters.TakeDeltas().OrderBy(d => d.ConvId).ThenBy(d => d.NodeId, StringComparer.Ordinal))
                stats.Add(new StatDelta(conv, node, entered, left));
        var lost = new List<TaskWrite>();
        Interlocked.Increment(ref _commitMarks);
        try { _writer!.Commit(writes, stats, lost); }
        finally { Interlocked.Increment(ref _commitMarks); }
        _busyTicks += System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks;
        Batches++;
        Rows += batch.Count;
        return lost.Count == 0 ? null : lost.Select(w => w.Row).ToHashSet();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null) await _loop;
        await _stop.CancelAsync();
        if (_upkeep is not null) await _upkeep;
        _writer?.Dispose();
    }
}

static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(Definitions.DefinitionJson.Options);
}
