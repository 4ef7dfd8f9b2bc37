using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Fires due waits from the store's due-time index, so timers survive restarts. On a store of its own
/// the rows of the timers due in the next few seconds are read before they fall due (read ahead), so a
/// wave of timers due together is only run when its time comes, not read then. On a shared store
/// (several engine nodes) timers are read as they fall due, since another node may take a task over
/// meanwhile. Polls every 100 ms while nothing is due.
/// </summary>
public sealed class TimerService(
    NodeMembership node, IDbContextFactory<WorkflowsDb> dbs, TaskWaker waker, TaskRunner runner, TaskQueue queue, ProcessRegistry processes,
    EngineOptions options, IClock clock, ILogger<TimerService> log) : IDisposable
{
    const int Batch = 1000;
    readonly CancellationTokenSource _stop = new();
    Task? _loop;
    // The timers read ahead, by due time; each task is held softly (TaskQueue.TryHoldAhead).
    readonly PriorityQueue<TaskState, (long Due, long Id)> _ahead = new();
    // Timers to read again: busy when read, or taken over by a callback before they fell due.
    readonly List<long> _again = [];

    /// <summary>How late the last fired timer was, in milliseconds (for /health).</summary>
    public long LastLagMs { get; private set; }
    public long Fired { get; private set; }
    /// <summary>Timers read ahead of their due time and held in memory (for /health).</summary>
    public int ReadAhead { get; private set; }

    public void Start() => _loop = Task.Run(Loop);

    async Task Loop()
    {
        // The read goes on from the last timer read (due time, then id: the due-time index's own order).
        // On a shared store it starts over once it reaches the due timers' end, as another node's tasks
        // may become this node's; on its own store it only moves forward, and the waits that begin later
        // for a time already read past are handed over by the queue (TaskQueue.Release).
        var (afterDue, afterId) = (long.MinValue, long.MinValue);
        List<long> paused = [];
        var readAhead = node.Shared ? 0 : options.TimerReadAheadMs;
        var (readHorizon, full) = (long.MinValue, false);
        while (!_stop.IsCancellationRequested)
        {
            var more = false;
            try
            {
                FireDue();
                // Timers of paused processes stay due until the process is resumed; a resumed process's
                // timers lie behind the read, which then starts over.
                var pausedNow = processes.All.Where(p => p.Paused).Select(p => p.ConvId).ToList();
                if (paused.Any(c => !pausedNow.Contains(c))) (afterDue, afterId) = (long.MinValue, long.MinValue);
                paused = pausedNow;
                await ReadAgainAsync();
                var horizon = clock.UtcNow.ToUnixTimeMilliseconds() + readAhead;
                // The clock was set back: the read had gone past what is due now, so it starts over.
                if (afterDue > horizon) (afterDue, afterId) = (long.MinValue, long.MinValue);
                // Read ahead, the store need not be asked on every pass (a wave's passes are milliseconds
                // apart, and each read cost the runners CPU): once the clock has moved on 100 ms, at once when
                // the last read was full or the read starts over.
                var ask = readAhead == 0 || full || afterDue == long.MinValue || horizon >= readHorizon + 100;
                if (_ahead.Count < options.TimerReadAheadLimit && ask)
                {
                    readHorizon = horizon;
                    // Before the read: a wait committed after the read began is then handed over, not missed.
                    if (!node.Shared) queue.TimersReadThrough(horizon);
                    var due = await DueIdsAsync(horizon, afterDue, afterId, pausedNow);
                    more = full = due.Count == Batch;
                    if (due.Count > 0) (afterDue, afterId) = due[^1];
                    if (!more && node.Shared) (afterDue, afterId) = (long.MinValue, long.MinValue);
                    var (read, busy) = await waker.ReadAheadAsync([.. due.Select(d => d.Id)], _stop.Token);
                    foreach (var task in read) _ahead.Enqueue(task, (task.Wait!.DueAt!.Value.ToUnixTimeMilliseconds(), task.Id));
                    // On a shared store the next pass finds busy timers again; on its own store the read has moved on.
                    if (!node.Shared) _again.AddRange(busy);
                }
                FireDue();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                log.LogError(e, "Firing timers failed; retrying");
                (afterDue, afterId) = (long.MinValue, long.MinValue);
            }
            ReadAhead = _ahead.Count;
            if (more) continue;
            try { await Task.Delay(UntilNext(), _stop.Token); }
            catch (OperationCanceledException) { break; }
        }
        // Stopping: what was read ahead stays in the store, due, for the next start.
        while (_ahead.TryDequeue(out var task, out _)) queue.DropAhead(task.Id);
    }

    async Task<List<(long Due, long Id)>> DueIdsAsync(long horizon, long afterDue, long afterId, List<long> paused)
    {
        var me = node.NodeId;
        await using var db = await dbs.CreateDbContextAsync(_stop.Token);
        var rows = await db.Tasks
            // Two ranges, not "(wake_at, id) > (due, id)": SQLite seeks only on the row value's first column, so
            // with 100,000 timers due in one second every pass of the wave scanned all that were left (14 ms a
            // pass, passes a millisecond apart); "wake_at = due AND id > id" seeks on the index's rowid too.
            .FromSqlInterpolated($"""
                SELECT * FROM tasks WHERE wake_at IS NOT NULL AND wake_at = {afterDue} AND wake_at <= {horizon} AND id > {afterId}
                UNION ALL
                SELECT * FROM tasks WHERE wake_at IS NOT NULL AND wake_at > {afterDue} AND wake_at <= {horizon}
                """)
            .AsNoTracking()
            // Each node fires the timers of its own tasks (a dead node's become another's): once in the cluster.
            .Where(t => t.Status == TaskPhases.Waiting && t.Owner == me && !paused.Contains(t.ConvId))
            .OrderBy(t => t.WakeAt).ThenBy(t => t.Id).Select(t => new { t.Id, t.WakeAt }).Take(Batch).ToListAsync(_stop.Token);
        return [.. rows.Select(r => (r.WakeAt!.Value, r.Id))];
    }

    /// <summary>Reads again the timers that were busy or taken over, and the waits handed over by the queue.</summary>
    async Task ReadAgainAsync()
    {
        while (_again.Count < Batch && queue.TryTakeNewTimer(out var id)) _again.Add(id);
        if (_again.Count == 0) return;
        var ids = _again.Distinct().Take(Batch).ToHashSet();
        _again.RemoveAll(ids.Contains);
        var (read, busy) = await waker.ReadAheadAsync([.. ids], _stop.Token);
        foreach (var task in read) _ahead.Enqueue(task, (task.Wait!.DueAt!.Value.ToUnixTimeMilliseconds(), task.Id));
        _again.AddRange(busy);
    }

    /// <summary>Fires the timers read ahead whose time came, while the runners keep up.</summary>
    void FireDue()
    {
        var now = clock.UtcNow;
        var nowMs = now.ToUnixTimeMilliseconds();
        // Back-pressure: fire on once the runners have taken most of what waits, so a wave of a million
        // due timers streams through instead of piling up in memory.
        while (runner.QueueDepth < Batch && _ahead.TryPeek(out var task, out var key) && key.Due <= nowMs)
        {
            _ahead.Dequeue();
            switch (waker.FireAhead(task, now))
            {
                case AheadFire.Fired:
                    Fired++;
                    LastLagMs = Math.Max(0, nowMs - key.Due);
                    break;
                case AheadFire.TakenOver:
                    _again.Add(task.Id);
                    break;
            }
        }
    }

    /// <summary>Until the next timer read ahead falls due, at most the 100 ms poll; a moment when the runners are behind.</summary>
    TimeSpan UntilNext()
    {
        if (!_ahead.TryPeek(out _, out var next)) return TimeSpan.FromMilliseconds(_again.Count > 0 ? 20 : 100);
        if (runner.QueueDepth >= Batch) return TimeSpan.FromMilliseconds(5);
        return TimeSpan.FromMilliseconds(Math.Clamp(next.Due - clock.UtcNow.ToUnixTimeMilliseconds(), 1, 100));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
    }

    /// <summary>After <see cref="StopAsync"/>, which waits for the loop that uses the stop signal.</summary>
    public void Dispose() => _stop.Dispose();
}
