using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
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
    sealed record Item(TaskRow Row, bool IsNew, string? Steps, long HistoryAt, TaskCompletionSource Done);

    readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    readonly EngineOptions _options;
    readonly NodeCounters _counters;
    readonly ILogger _log;
    DbConnection? _connection;
    DbCommand? _insert, _update, _history, _stats;
    Task? _loop;

    readonly IdGenerator _ids;

    public TaskWriter(EngineOptions options, NodeCounters counters, IdGenerator ids, ILogger<TaskWriter> log)
    {
        _ids = ids;
        _options = options;
        _counters = counters;
        _log = log;
    }

    public long Batches { get; private set; }
    public long Rows { get; private set; }
    /// <summary>Time spent writing and committing, for benchmarks and /health.</summary>
    public TimeSpan Busy => TimeSpan.FromTicks(_busyTicks);
    long _busyTicks;

    public void Start()
    {
        var connection = new SqliteConnection(_options.ConnectionString);
        connection.Open();
        // FULL: a commit is on disk before anyone is told. Checkpoints run on their own connection
        // (below) so the writer never stops to copy the WAL back into the database.
        var synchronous = _options.SqliteSynchronous.Equals("NORMAL", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL";
        Exec(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=0;");
        _connection = connection;
        // A task's first write inserts, later ones update: cheaper than an upsert's failed insert.
        _insert = Prepare(connection, """
            INSERT INTO tasks (id, conv_id, version, ref, node_id, status, result, data, wait_kind, wait_key, wake_at, timeout_at, visits, reply_to, depth, created_at, changed_at)
            VALUES (@id, @conv_id, @version, @ref, @node_id, @status, @result, @data, @wait_kind, @wait_key, @wake_at, @timeout_at, @visits, @reply_to, @depth, @created_at, @changed_at)
            """, "id", "conv_id", "version", "ref", "node_id", "status", "result", "data", "wait_kind", "wait_key", "wake_at", "timeout_at", "visits", "reply_to", "depth", "created_at", "changed_at");
        _update = Prepare(connection, """
            UPDATE tasks SET version = @version, node_id = @node_id, status = @status, result = @result, data = @data,
              wait_kind = @wait_kind, wait_key = @wait_key, wake_at = @wake_at, timeout_at = @timeout_at, visits = @visits, changed_at = @changed_at
            WHERE id = @id
            """, "version", "node_id", "status", "result", "data", "wait_kind", "wait_key", "wake_at", "timeout_at", "visits", "changed_at", "id");
        _history = Prepare(connection, "INSERT INTO task_history (task_id, id, at, steps) VALUES (@task_id, @id, @at, @steps)", "task_id", "id", "at", "steps");
        _stats = Prepare(connection, """
            INSERT INTO node_stats (conv_id, node_id, entered, left_count) VALUES (@conv_id, @node_id, @entered, @left_count)
            ON CONFLICT (conv_id, node_id) DO UPDATE SET entered = node_stats.entered + excluded.entered, left_count = node_stats.left_count + excluded.left_count
            """, "conv_id", "node_id", "entered", "left_count");
        // Own threads, not the thread pool's: a commit blocks in fsync and a checkpoint in the
        // database file's sync. On two cores a pool thread stuck there half the time left the
        // request threads short (measured: 8-30 % fewer requests/s).
        _loop = OnOwnThread("workflows-writer", Loop);
        _checkpoints = OnOwnThread("workflows-checkpoints", Checkpoints);
    }

    Task? _checkpoints;
    readonly CancellationTokenSource _stop = new();

    static Task OnOwnThread(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try { work(); done.SetResult(); }
            catch (Exception e) { done.SetException(e); }
        }) { IsBackground = true, Name = name }.Start();
        return done.Task;
    }

    /// <summary>Copies the WAL back into the database in the background, so it stays small without blocking commits.</summary>
    void Checkpoints()
    {
        using var connection = new SqliteConnection(_options.ConnectionString);
        connection.Open();
        Exec(connection, "PRAGMA busy_timeout=10000;");
        while (!_stop.IsCancellationRequested)
        {
            if (_stop.Token.WaitHandle.WaitOne(500)) break;
            try { Exec(connection, "PRAGMA wal_checkpoint(PASSIVE);"); }
            catch (SqliteException e) { _log.LogWarning("WAL checkpoint failed: {Error}", e.Message); }
        }
        try { Exec(connection, "PRAGMA wal_checkpoint(TRUNCATE);"); }
        catch (SqliteException) { }
    }

    /// <summary>Snapshots the task and its pending steps now; completes when they are committed.</summary>
    public Task Save(TaskState task)
    {
        var row = ToRow(task);
        string? steps = null;
        if (task.Pending.Count > 0)
        {
            steps = JsonSerializer.Serialize(task.Pending, StoreJson.Options);
            task.Pending.Clear();
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Item(row, !task.Stored, steps, task.ChangedAt.ToUnixTimeMilliseconds(), done)))
            done.SetException(new InvalidOperationException("The engine is stopping."));
        return done.Task;
    }

    internal static TaskRow ToRow(TaskState task) => new()
    {
        Id = task.Id,
        ConvId = task.ConvId,
        Version = task.Version,
        Ref = task.Ref,
        NodeId = task.NodeId,
        Status = task.Status,
        Result = task.Result,
        Data = TaskJson.Text(task.Data),
        WaitKind = task.Wait?.Kind,
        WaitKey = task.Wait?.Key,
        WakeAt = Earliest(task.Wait?.WakeAt, task.Wait?.TimeoutAt)?.ToUnixTimeMilliseconds(),
        TimeoutAt = task.Wait?.TimeoutAt?.ToUnixTimeMilliseconds(),
        Visits = task.Visits.Count == 0 ? null : JsonSerializer.Serialize(task.Visits),
        ReplyTo = task.ReplyTo,
        Depth = task.Depth,
        CreatedAt = task.CreatedAt.ToUnixTimeMilliseconds(),
        ChangedAt = task.ChangedAt.ToUnixTimeMilliseconds(),
    };

    static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

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
                Write(batch, withStats: true);
                foreach (var item in batch) item.Done.TrySetResult();
            }
            catch (Exception e) when (batch.Count > 1)
            {
                _log.LogWarning(e, "A batch of {Count} task writes failed; retrying them one by one", batch.Count);
                foreach (var item in batch)
                {
                    try { Write([item], withStats: false); item.Done.TrySetResult(); }
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

    void Write(List<Item> batch, bool withStats)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var tx = _connection!.BeginTransaction();
        _insert!.Transaction = tx;
        _update!.Transaction = tx;
        _history!.Transaction = tx;
        _stats!.Transaction = tx;
        foreach (var item in batch)
        {
            var r = item.Row;
            if (item.IsNew)
            {
                Set(_insert, r.Id, r.ConvId, r.Version, r.Ref, r.NodeId, r.Status, r.Result, r.Data, r.WaitKind, r.WaitKey, r.WakeAt, r.TimeoutAt, r.Visits, r.ReplyTo, r.Depth, r.CreatedAt, r.ChangedAt);
                _insert.ExecuteNonQuery();
            }
            else
            {
                Set(_update, r.Version, r.NodeId, r.Status, r.Result, r.Data, r.WaitKind, r.WaitKey, r.WakeAt, r.TimeoutAt, r.Visits, r.ChangedAt, r.Id);
                _update.ExecuteNonQuery();
            }
            if (item.Steps is not null)
            {
                Set(_history, r.Id, _ids.Next(), item.HistoryAt, item.Steps);
                _history.ExecuteNonQuery();
            }
        }
        if (withStats)
            foreach (var (conv, node, entered, left) in _counters.TakeDeltas())
            {
                Set(_stats, conv, node, entered, left);
                _stats.ExecuteNonQuery();
            }
        tx.Commit();
        _busyTicks += System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks;
        Batches++;
        Rows += batch.Count;
    }

    static void Set(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
    }

    static DbCommand Prepare(DbConnection connection, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            var p = command.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = DBNull.Value;
            command.Parameters.Add(p);
        }
        command.Prepare();
        return command;
    }

    internal static void Exec(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null) await _loop;
        await _stop.CancelAsync();
        if (_checkpoints is not null) await _checkpoints;
        _insert?.Dispose();
        _update?.Dispose();
        _history?.Dispose();
        _stats?.Dispose();
        if (_connection is not null) await _connection.DisposeAsync();
    }
}

static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(Definitions.DefinitionJson.Options);
}
