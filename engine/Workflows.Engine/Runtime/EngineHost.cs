using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Definitions;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Starts the engine: migrates the store, joins the other nodes on the database (taking over those
/// that stopped or died, itself before a restart included), loads processes (and the bundled ones into
/// an empty store), rebuilds counters and refs from the task rows, and resumes every task of this node
/// that was moving. While running it keeps the node's heartbeat and takes over nodes that die. Stops
/// by letting runners finish their step and commit, then tells the others the node is gone.
/// </summary>
public sealed class EngineHost(
    StoreProvider store, NodeMembership node, IHostApplicationLifetime lifetime, IDbContextFactory<WorkflowsDb> dbs, TaskWriter writer, ProcessRegistry processes, TaskRunner runner, TimerService timers, RetentionService retention,
    NodeCounters counters, NodeSums sums, ActiveRefs refs, IdGenerator ids, Scheduling.ProcessSchedules schedules, TaskQueue queue, PausedTasks paused, EngineMetrics metrics,
    Variables.EnvironmentVariables env, EngineOptions options, ILogger<EngineHost> log) : IHostedService, IDisposable
{
    public bool Ready { get; private set; }

    /// <summary>This node's name (configured, or host name and process id).</summary>
    public string NodeName { get; } = options.NodeName ?? $"{Environment.MachineName}:{Environment.ProcessId}";

    readonly CancellationTokenSource _stop = new();
    Task? _beats, _listening;
    volatile bool _runnerStarted;

    public async Task StartAsync(CancellationToken cancel)
    {
        await store.MigrateAsync(cancel);
        await node.JoinAsync(NodeName, cancel);
        node.Fenced += () =>
        {
            log.LogCritical("Node {Node} was taken over by another node while it was silent; it stops so that it cannot commit over that node's work", node.NodeId);
            lifetime.StopApplication();
        };
        await node.BeatAsync(cancel);
        // Beating from now on: a start that takes longer than the lease must not look like a dead node.
        // Not the start's token: the beats run for the node's life and stop with _stop.
        if (node.Shared) _beats = Task.Run(Beats, CancellationToken.None);
        writer.Start();
        await env.LoadAsync(cancel);
        await processes.LoadAsync(cancel);
        if (!processes.All.Any()) await LoadBundled(cancel);

        await using (var db = await dbs.CreateDbContextAsync(cancel))
        {
            var stats = (await db.NodeTotalsAsync(null, cancel)).ToDictionary(s => (s.ConvId, s.NodeId));
            var now = await db.CountTasksInNodesAsync(null, cancel);
            var nowByNode = now.ToDictionary(n => (n.ConvId, n.NodeId), n => n.Count);
            foreach (var key in stats.Keys.Union(nowByNode.Keys))
            {
                stats.TryGetValue(key, out var s);
                counters.Load(key.Item1, key.Item2, nowByNode.GetValueOrDefault(key), s?.Entered ?? 0, s?.Left ?? 0);
            }
            await LoadSums(db, cancel);
            var active = await db.Tasks.AsNoTracking().Where(t => t.Ref != null && t.Status != TaskPhases.Finished)
                .Select(t => new { t.ConvId, t.Ref, t.Id }).ToListAsync(cancel);
            if (!node.Shared) foreach (var a in active) refs.TryClaim(a.ConvId, a.Ref!, a.Id, out _);
            ids.StartAbove(await db.Tasks.MaxAsync(t => (long?)t.Id, cancel) ?? 0);
        }

        runner.Start();
        _runnerStarted = true; // from here on, tasks of nodes taken over are resumed by the beats too
        var resumed = await ResumeMoving(cancel);
        metrics.Observe("workflows_timer_lag_ms", () => timers.LastLagMs, "How late the last due timer fired");
        timers.Start();
        retention.Start();
        await schedules.SyncAllAsync(cancel);
        processes.Changed += convId => _ = SyncSchedules(convId);
        processes.Changed += paused.Unpark;
        if (node.Shared) _listening = node.ListenProcessesAsync(ReloadProcess, _stop.Token);
        Ready = true;
        log.LogInformation("Engine ready: {Processes} processes, {Resumed} tasks resumed", processes.All.Count(), resumed);
    }

    async Task SyncSchedules(long convId)
    {
        try { await schedules.SyncAsync(convId); }
        catch (Exception e) { log.LogError(e, "Schedules of process {ConvId} could not be updated", convId); }
    }

    /// <summary>Keeps the node alive and, when another node dies, resumes the tasks it was moving (its timers fire from the store).</summary>
    async Task Beats()
    {
        var every = TimeSpan.FromSeconds(Math.Max(0.2, options.NodeLeaseSeconds / 5));
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, _stop.Token);
                if ((await node.BeatAsync(_stop.Token)).Count > 0 && _runnerStarted)
                {
                    var resumed = await ResumeMoving(_stop.Token);
                    log.LogWarning("Node {Node} resumed {Count} tasks of nodes it took over", node.NodeId, resumed);
                }
                else if (_runnerStarted && runner.TakeSweepRequest())
                {
                    var resumed = await ResumeMoving(_stop.Token);
                    if (resumed > 0) log.LogWarning("Node {Node} resumed {Count} tasks whose run failed", node.NodeId, resumed);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
            catch (NodeFencedException) { return; }
            catch (Exception e) { log.LogError(e, "The heartbeat of node {Node} failed; retrying", node.NodeId); }
        }
    }

    async Task LoadSums(WorkflowsDb db, CancellationToken cancel)
    {
        foreach (var sum in await db.SumTotalsAsync(null, cancel)) sums.Load(sum.ConvId, sum.NodeId, sum.Name, sum.Value);
    }

    async Task ReloadProcess(long? convId)
    {
        try { await processes.ReloadAsync(convId, _stop.Token); }
        catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "Process {ConvId} changed on another node but could not be reloaded", convId); }
    }

    /// <summary>Hands this node's moving tasks that no runner holds to the runners.</summary>
    async Task<int> ResumeMoving(CancellationToken cancel)
    {
        var count = 0;
        long after = 0;
        var me = node.NodeId;
        while (true)
        {
            await using var db = await dbs.CreateDbContextAsync(cancel);
            var page = await db.Tasks.AsNoTracking().Where(t => t.Status == TaskPhases.Processing && t.Owner == me && t.Id > after)
                .OrderBy(t => t.Id).Take(1000).ToListAsync(cancel);
            if (page.Count == 0) return count;
            foreach (var row in page.Where(r => queue.TryHold(r.Id)))
            {
                _ = queue.SubmitHeld(TaskService.FromRow(row));
                count++;
            }
            after = page[^1].Id;
        }
    }

    async Task LoadBundled(CancellationToken cancel)
    {
        if (options.ProcessesFolder is not { } folder || !Directory.Exists(folder)) return;
        foreach (var file in Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                var definition = DefinitionJson.Parse(await File.ReadAllTextAsync(file, cancel));
                var entry = await processes.CreateAsync(definition, cancel);
                log.LogInformation("Loaded bundled process {ConvId} '{Title}' from {File}", entry.ConvId, entry.Row.Title, Path.GetFileName(file));
            }
            catch (Exception e) when (e is DefinitionException or EngineException or System.Text.Json.JsonException or DbUpdateException)
            {
                log.LogError("Bundled process {File} was not loaded: {Error}", Path.GetFileName(file), e.Message);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancel)
    {
        Ready = false;
        await _stop.CancelAsync();
        if (_beats is not null) await _beats;
        if (_listening is not null) await _listening;
        await timers.StopAsync();
        await retention.StopAsync();
        await runner.StopAsync(TimeSpan.FromMilliseconds(options.StopGraceMs));
        await writer.DisposeAsync();
        await node.LeaveAsync();
    }

    public void Dispose() => _stop.Dispose();
}
