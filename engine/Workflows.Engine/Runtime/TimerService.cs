using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Fires due waits from the store's due-time index, a thousand at a time, so timers survive restarts
/// and a wave of timers due together is fired in batches. Polls every 100 ms while nothing is due.
/// </summary>
public sealed class TimerService(IDbContextFactory<WorkflowsDb> dbs, TaskWaker waker, ProcessRegistry processes, IClock clock, ILogger<TimerService> log)
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
        while (!_stop.IsCancellationRequested)
        {
            var full = false;
            try
            {
                var now = clock.UtcNow.ToUnixTimeMilliseconds();
                // Timers of paused processes stay due until the process is resumed.
                var paused = processes.All.Where(p => p.Paused).Select(p => p.ConvId).ToList();
                List<(long Id, long Due)> due;
                await using (var db = await dbs.CreateDbContextAsync(_stop.Token))
                {
                    var rows = await db.Tasks.AsNoTracking()
                        .Where(t => t.WakeAt != null && t.WakeAt <= now && t.Status == TaskStatus.Waiting && !paused.Contains(t.ConvId))
                        .OrderBy(t => t.WakeAt).Select(t => new { t.Id, t.WakeAt }).Take(Batch).ToListAsync(_stop.Token);
                    due = rows.Select(r => (r.Id, r.WakeAt!.Value)).ToList();
                }
                if (due.Count > 0)
                {
                    Fired += await waker.FireDueAsync(due.Select(d => d.Id).ToList(), _stop.Token);
                    LastLagMs = Math.Max(0, clock.UtcNow.ToUnixTimeMilliseconds() - due[^1].Due);
                    full = due.Count == Batch;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogError(e, "Firing timers failed; retrying");
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
}
