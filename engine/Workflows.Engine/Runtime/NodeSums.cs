using System.Collections.Concurrent;

namespace Workflows.Engine.Runtime;

/// <summary>
/// The running sums of sum nodes (Corezoid's api_sum), per node and sum name, in decimal so money
/// adds up exactly. A step's additions travel with the task's own commit (<see cref="TaskState.PendingSums"/>),
/// so a sum counts each task's passage once: a crash before the commit loses both, the rerun adds again.
/// The live values here are read by templates ({{node[ID].name}}) and the designer; they are rebuilt from
/// the store at start.
/// </summary>
public sealed class NodeSums
{
    readonly ConcurrentDictionary<(long ConvId, string NodeId), Dictionary<string, decimal>> _sums = new();

    Dictionary<string, decimal> Of(long convId, string nodeId) => _sums.GetOrAdd((convId, nodeId), _ => new(StringComparer.Ordinal));

    internal void Add(long convId, string nodeId, string name, decimal delta)
    {
        var sums = Of(convId, nodeId);
        lock (sums) sums[name] = sums.GetValueOrDefault(name) + delta;
    }

    /// <summary>A sum's value now; null when the node has none of that name.</summary>
    public decimal? Read(long convId, string nodeId, string name)
    {
        if (!_sums.TryGetValue((convId, nodeId), out var sums)) return null;
        lock (sums) return sums.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>Every sum of every node of a process.</summary>
    public Dictionary<string, Dictionary<string, decimal>> ForProcess(long convId)
    {
        var result = new Dictionary<string, Dictionary<string, decimal>>(StringComparer.Ordinal);
        foreach (var ((conv, node), sums) in _sums)
            if (conv == convId)
                lock (sums) result[node] = new Dictionary<string, decimal>(sums, StringComparer.Ordinal);
        return result;
    }

    internal void Load(long convId, string nodeId, string name, decimal value)
    {
        var sums = Of(convId, nodeId);
        lock (sums) sums[name] = value;
    }

    public void ForgetProcess(long convId)
    {
        foreach (var key in _sums.Keys.Where(k => k.ConvId == convId).ToList()) _sums.TryRemove(key, out _);
    }
}

/// <summary>What one step added to one sum: written with the task's row, in the same transaction.</summary>
public sealed record SumDelta(long ConvId, string NodeId, string Name, decimal Delta);
