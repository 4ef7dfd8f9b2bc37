using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Fires due waits from the store's due-time index, a thousand at a time, so timers survive restarts
/// and a wave of timers due together is fired in batches. Polls every 100 ms while nothing is due.
/// </summary>
public sealed class TimerService(NodeMembership node, IDbContextFactory<WorkflowsDb> dbs, TaskWaker waker, TaskRunner runner, ProcessRegistry processes, IClock clock, ILogger<TimerService> log) : IDisposable
{
    const int Batch = 1000;
    readonly CancellationTokenSource _stop = new();
    Task? _loop;

    /// <summary>How late the last fired timer was, in milliseconds (for /health).</summary>
    public long LastLagMs { get; private set; }
    public long Fired { get; private set; }

    public void Start() => _loop = Task.Run(Loop);

    async Task Loop()
    {
        // Reads go on from the last timer fired (due time, then id: the due-time index's own order),
        // so while one batch is still being committed the next read finds the next thousand instead
        // of the same ones again. At the end of the due timers the cursor starts over.
        var (afterDue, afterId) = (long.MinValue, long.MinValue);
        while (!_stop.IsCancellationRequested)
        {
            var full = false;
            try
            {
                // Back-pressure: fire the next thousand once the runners have taken most of the last,
                // so a wave of a million due timers streams through instead of piling up in memory.
                if (runner.QueueDepth >= Batch)
                {
                    await Task.Delay(5, _stop.Token);
                    continue;
                }
                var now = clock.UtcNow.ToUnixTimeMilliseconds();
                // Each node fires the timers of its own tasks (a dead node's become another's): once in the cluster.
                var me = node.NodeId;
                // Timers of paused processes stay due until the process is resumed.
                var paused = processes.All.Where(p => p.Paused).Select(p => p.ConvId).ToList();
                List<(long Id, long Due)> due;
                await using (var db = await dbs.CreateDbContextAsync(_stop.Token))
                {
                    var rows = await db.Tasks
                        .FromSqlInterpolated($"SELECT * FROM tasks WHERE wake_at IS NOT NULL AND wake_at <= {now} AND (wake_at, id) > ({afterDue}, {afterId})")
                        .AsNoTracking()
                        .Where(t => t.Status == TaskPhases.Waiting && t.Owner == me && !paused.Contains(t.ConvId))
                        .OrderBy(t => t.WakeAt).ThenBy(t => t.Id).Select(t => new { t.Id, t.WakeAt }).Take(Batch).ToListAsync(_stop.Token);
                    due = rows.Select(r => (r.Id, r.WakeAt!.Value)).ToList();
                }
                full = due.Count == Batch;
                (afterDue, afterId) = full ? (due[^1].Due, due[^1].Id) : (long.MinValue, long.MinValue);
                if (due.Count > 0)
                {
                    Fired += await waker.FireDueAsync(due.Select(d => d.Id).ToList(), _stop.Token);
                    LastLagMs = Math.Max(0, clock.UtcNow.ToUnixTimeMilliseconds() - due[^1].Due);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogError(e, "Firing timers failed; retrying");
                (afterDue, afterId) = (long.MinValue, long.MinValue);
            }
            if (!full)
            {
                try { await Task.Delay(100, _stop.Token); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
    }

    /// <summary>After <see cref="StopAsync"/>, which waits for the loop that uses the stop signal.</summary>
    public void Dispose() => _stop.Dispose();
}
