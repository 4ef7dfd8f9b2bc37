using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>What the counters API and the designer's live view show for a process: tasks in each node now, totals entered/left, and the sums of sum nodes.</summary>
public sealed record CountersView(
    IReadOnlyDictionary<string, (long Now, long Entered, long Left)> Nodes,
    IReadOnlyDictionary<string, Dictionary<string, decimal>> Sums);

/// <summary>
/// The counters users see. On one node they are the engine's own live view (<see cref="NodeCounters"/>,
/// <see cref="NodeSums"/>). On a shared store each node sees only the tasks it moves, so the view is
/// read from the store instead: tasks counted per node as at start (<see cref="WorkflowsDb.CountTasksInNodesAsync"/>), totals and sums as every node has
/// committed them (each engine node's rows added up). One read per process a second at most, however many viewers there are.
/// </summary>
public sealed class LiveCounters(ProcessRegistry processes, NodeCounters counters, NodeSums sums, NodeMembership node, TaskWriter writer, IDbContextFactory<WorkflowsDb> dbs)
{
    const long ReadEveryMs = 1000;
    readonly ConcurrentDictionary<long, (long At, long Commits, Task<CountersView> View)> _reads = new();

    /// <summary>Whether the view comes from the store (then it changes without this node's counters moving).</summary>
    public bool FromStore => node.Shared;

    /// <summary>The process's counters; throws not found for a process that does not exist.</summary>
    public Task<CountersView> ReadAsync(long convId)
    {
        var process = processes.Get(convId);
        var nodes = process.Latest.Definition.Nodes.Select(n => n.Id).ToList();
        if (!FromStore) return Task.FromResult(Local(convId, nodes));
        // A read is reused for a second, unless this node committed since: what it just did shows at once,
        // what other nodes did within a second.
        var (now, commits) = (Environment.TickCount64, writer.CommitMarks);
        if (_reads.TryGetValue(convId, out var last) && now - last.At < ReadEveryMs && last.Commits == commits && !last.View.IsFaulted) return last.View;
        var read = Stored(convId, nodes);
        _reads[convId] = (now, commits, read);
        return read;
    }

    CountersView Local(long convId, List<string> nodes)
    {
        var result = nodes.ToDictionary(n => n, _ => (0L, 0L, 0L));
        foreach (var (id, c) in counters.ForProcess(convId)) result[id] = (c.InNode, c.TotalEntered, c.TotalLeft);
        return new CountersView(result, sums.ForProcess(convId));
    }

    async Task<CountersView> Stored(long convId, List<string> nodes)
    {
        await using var db = await dbs.CreateDbContextAsync();
        var inNodes = await db.CountTasksInNodesAsync(convId, CancellationToken.None);
        var totals = await db.NodeTotalsAsync(convId, CancellationToken.None);
        var stored = await db.SumTotalsAsync(convId, CancellationToken.None);
        var result = nodes.ToDictionary(n => n, _ => (0L, 0L, 0L));
        foreach (var n in inNodes) result[n.NodeId] = (n.Count, 0, 0);
        foreach (var t in totals) result[t.NodeId] = (result.GetValueOrDefault(t.NodeId).Item1, t.Entered, t.Left);
        var byNode = stored.GroupBy(s => s.NodeId)
            .ToDictionary(g => g.Key, g => g.ToDictionary(s => s.Name, s => s.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        return new CountersView(result, byNode);
    }
}
