using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Definitions;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Starts the engine: migrates the store, loads processes (and the bundled ones into an empty
/// store), rebuilds counters and refs from the task rows, and resumes every task that was moving
/// when the engine last stopped. Stops it by letting runners finish their step and commit.
/// </summary>
public sealed class EngineHost(
    StoreProvider store, IDbContextFactory<WorkflowsDb> dbs, TaskWriter writer, ProcessRegistry processes, TaskRunner runner, TimerService timers, RetentionService retention,
    NodeCounters counters, NodeSums sums, ActiveRefs refs, IdGenerator ids, Scheduling.ProcessSchedules schedules, TaskQueue queue, PausedTasks paused, EngineMetrics metrics,
    Variables.EnvironmentVariables env, EngineOptions options, ILogger<EngineHost> log) : IHostedService
{
    public bool Ready { get; private set; }

    public async Task StartAsync(CancellationToken cancel)
    {
        await store.MigrateAsync(cancel);
        writer.Start();
        await env.LoadAsync(cancel);
        await processes.LoadAsync(cancel);
        if (!processes.All.Any()) await LoadBundled(cancel);

        await using (var db = await dbs.CreateDbContextAsync(cancel))
        {
            var stats = await db.NodeStats.AsNoTracking().ToDictionaryAsync(s => (s.ConvId, s.NodeId), cancel);
            var now = await db.Tasks.GroupBy(t => new { t.ConvId, t.NodeId }).Select(g => new { g.Key.ConvId, g.Key.NodeId, Count = g.LongCount() }).ToListAsync(cancel);
            var nowByNode = now.ToDictionary(n => (n.ConvId, n.NodeId), n => n.Count);
            foreach (var key in stats.Keys.Union(nowByNode.Keys))
            {
                stats.TryGetValue(key, out var s);
                counters.Load(key.Item1, key.Item2, nowByNode.GetValueOrDefault(key), s?.Entered ?? 0, s?.LeftCount ?? 0);
            }
            foreach (var sum in await db.NodeSums.AsNoTracking().ToListAsync(cancel)) sums.Load(sum.ConvId, sum.NodeId, sum.Name, sum.Value);
            var active = await db.Tasks.AsNoTracking().Where(t => t.Ref != null && t.Status != TaskPhases.Finished)
                .Select(t => new { t.ConvId, t.Ref, t.Id }).ToListAsync(cancel);
            foreach (var a in active) refs.TryClaim(a.ConvId, a.Ref!, a.Id, out _);
            ids.StartAbove(await db.Tasks.MaxAsync(t => (long?)t.Id, cancel) ?? 0);
        }

        runner.Start();
        var resumed = await ResumeMoving(cancel);
        metrics.Observe("workflows_timer_lag_ms", () => timers.LastLagMs, "How late the last due timer fired");
        timers.Start();
        retention.Start();
        await schedules.SyncAllAsync(cancel);
        processes.Changed += convId => _ = SyncSchedules(convId);
        processes.Changed += paused.Unpark;
        Ready = true;
        log.LogInformation("Engine ready: {Processes} processes, {Resumed} tasks resumed", processes.All.Count(), resumed);
    }

    async Task SyncSchedules(long convId)
    {
        try { await schedules.SyncAsync(convId); }
        catch (Exception e) { log.LogError(e, "Schedules of process {ConvId} could not be updated", convId); }
    }

    async Task<int> ResumeMoving(CancellationToken cancel)
    {
        var count = 0;
        long after = 0;
        while (true)
        {
            await using var db = await dbs.CreateDbContextAsync(cancel);
            var page = await db.Tasks.AsNoTracking().Where(t => t.Status == TaskPhases.Processing && t.Id > after)
                .OrderBy(t => t.Id).Take(1000).ToListAsync(cancel);
            if (page.Count == 0) return count;
            foreach (var row in page) _ = queue.Submit(TaskService.FromRow(row));
            count += page.Count;
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
            catch (Exception e) when (e is DefinitionException or EngineException or System.Text.Json.JsonException)
            {
                log.LogError("Bundled process {File} was not loaded: {Error}", Path.GetFileName(file), e.Message);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancel)
    {
        Ready = false;
        await timers.StopAsync();
        await retention.StopAsync();
        await runner.StopAsync(TimeSpan.FromMilliseconds(options.StopGraceMs));
        await writer.DisposeAsync();
    }
}
