using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Growth control: finished tasks older than their process's retention are appended to the archive
/// (JSON lines per process and day, if an archive folder is set) and deleted with their history, a
/// thousand at a time; the store then hands the freed pages back (SQLite: incremental vacuum;
/// PostgreSQL: autovacuum reuses them), so the database does not grow without bound.
/// </summary>
public sealed class RetentionService(StoreProvider store, IDbContextFactory<WorkflowsDb> dbs, ProcessRegistry processes, NodeCounters counters,
    IClock clock, EngineOptions options, ILogger<RetentionService> log) : IDisposable
{
    readonly CancellationTokenSource _stop = new();
    Task? _loop;

    public long Pruned { get; private set; }

    public void Start() => _loop = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(options.PruneEverySeconds), _stop.Token); }
            catch (OperationCanceledException) { return; }
            try { await PruneAsync(_stop.Token); }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
            catch (Exception e) { log.LogError(e, "Pruning finished tasks failed; retrying at the next round"); }
        }
    });

    /// <summary>One round over every process; answers how many tasks were pruned.</summary>
    public async Task<int> PruneAsync(CancellationToken cancel = default)
    {
        var total = 0;
        foreach (var process in processes.All.ToList())
        {
            var hours = process.Latest.Definition.Settings?.RetentionHours ?? options.RetentionHours;
            var before = clock.UtcNow.AddHours(-hours).ToUnixTimeMilliseconds();
            while (true)
            {
                await using var db = await dbs.CreateDbContextAsync(cancel);
                var batch = await db.Tasks.AsNoTracking()
                    .Where(t => t.ConvId == process.ConvId && t.Status == TaskPhases.Finished && t.ChangedAt < before)
                    .OrderBy(t => t.Id).Take(1000).ToListAsync(cancel);
                if (batch.Count == 0) break;
                var ids = batch.Select(t => t.Id).ToList();
                if (options.ArchiveFolder is { } folder) await Archive(db, folder, process.ConvId, batch, cancel);
                await using (var tx = await db.Database.BeginTransactionAsync(cancel))
                {
                    await db.TaskHistory.Where(h => ids.Contains(h.TaskId)).ExecuteDeleteAsync(cancel);
                    await db.Tasks.Where(t => ids.Contains(t.Id)).ExecuteDeleteAsync(cancel);
                    await tx.CommitAsync(cancel);
                }
                foreach (var task in batch.Where(t => t.Test is null)) counters.Remove(task.ConvId, task.NodeId);
                total += batch.Count;
                if (batch.Count < 1000) break;
            }
        }
        if (total > 0)
        {
            await store.CompactAsync(cancel);
            Pruned += total;
            log.LogInformation("Pruned {Count} finished tasks past their retention", total);
        }
        return total;
    }

    static async Task Archive(WorkflowsDb db, string folder, long convId, List<TaskRow> batch, CancellationToken cancel)
    {
        Directory.CreateDirectory(folder);
        var ids = batch.Select(t => t.Id).ToList();
        var history = (await db.TaskHistory.AsNoTracking().Where(h => ids.Contains(h.TaskId)).OrderBy(h => h.Id).ToListAsync(cancel))
            .GroupBy(h => h.TaskId).ToDictionary(g => g.Key, g => g.SelectMany(h => JsonNode.Parse(h.Steps) as JsonArray ?? []).Select(s => s?.DeepClone()).ToArray());
        var lines = new StringBuilder();
        foreach (var task in batch)
        {
            var line = new JsonObject
            {
                ["obj_id"] = TaskIds.Format(task.Id), ["conv_id"] = task.ConvId, ["ref"] = task.Ref, ["node_id"] = task.NodeId,
                ["result"] = task.Result, ["created_at"] = task.CreatedAt, ["changed_at"] = task.ChangedAt,
                ["data"] = JsonNode.Parse(task.Data), ["history"] = new JsonArray(history.GetValueOrDefault(task.Id) ?? []),
            };
            lines.Append(TaskJson.Text(line)).Append('\n');
        }
        var day = DateTimeOffset.FromUnixTimeMilliseconds(batch[0].ChangedAt).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await File.AppendAllTextAsync(Path.Combine(folder, $"{convId}-{day}.jsonl"), lines.ToString(), cancel);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
    }

    /// <summary>After <see cref="StopAsync"/>, which waits for the loop that uses the stop signal.</summary>
    public void Dispose() => _stop.Dispose();
}
