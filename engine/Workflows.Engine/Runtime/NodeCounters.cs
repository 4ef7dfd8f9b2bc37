using System.Collections.Concurrent;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Live counters per node: tasks in the node now (rebuilt from the store at start) and totals
/// entered/left (persisted by the writer as deltas). Read by the designer's live view.
/// </summary>
public sealed class NodeCounters
{
    public sealed class Counter
    {
        internal long Now, Entered, Left, SavedEntered, SavedLeft;
        public long InNode => Interlocked.Read(ref Now);
        public long TotalEntered => Interlocked.Read(ref Entered);
        public long TotalLeft => Interlocked.Read(ref Left);
    }

    readonly ConcurrentDictionary<(long ConvId, string NodeId), Counter> _counters = new();
    long _changes;

    /// <summary>Grows on every change; the live view pushes only when it moved.</summary>
    public long Changes => Interlocked.Read(ref _changes);

    Counter Of(long convId, string nodeId) => _counters.GetOrAdd((convId, nodeId), _ => new Counter());

    /// <summary>Counts a task into a node; answers how many are there now.</summary>
    public long Enter(long convId, string nodeId)
    {
        var c = Of(convId, nodeId);
        Interlocked.Increment(ref c.Entered);
        Interlocked.Increment(ref _changes);
        return Interlocked.Increment(ref c.Now);
    }

    /// <summary>Counts a task out of a node; answers how many are left.</summary>
    public long Leave(long convId, string nodeId)
    {
        var c = Of(convId, nodeId);
        Interlocked.Increment(ref c.Left);
        Interlocked.Increment(ref _changes);
        return Interlocked.Decrement(ref c.Now);
    }

    /// <summary>A task removed from a node without moving on (deleted, pruned).</summary>
    public void Remove(long convId, string nodeId)
    {
        Interlocked.Decrement(ref Of(convId, nodeId).Now);
        Interlocked.Increment(ref _changes);
    }

    internal void Load(long convId, string nodeId, long now, long entered, long left)
    {
        var c = Of(convId, nodeId);
        c.Now = now;
        c.Entered = c.SavedEntered = entered;
        c.Left = c.SavedLeft = left;
    }

    /// <summary>Tasks in one node now.</summary>
    public long InNode(long convId, string nodeId) => _counters.TryGetValue((convId, nodeId), out var c) ? c.InNode : 0;

    public IReadOnlyDictionary<string, Counter> ForProcess(long convId) =>
        _counters.Where(kv => kv.Key.ConvId == convId).ToDictionary(kv => kv.Key.NodeId, kv => kv.Value);

    public void ForgetProcess(long convId)
    {
        foreach (var key in _counters.Keys.Where(k => k.ConvId == convId).ToList()) _counters.TryRemove(key, out _);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>Totals not yet persisted; the writer saves them with its next batch.</summary>
    internal List<(long ConvId, string NodeId, long Entered, long Left)> TakeDeltas()
    {
        var list = new List<(long, string, long, long)>();
        foreach (var ((conv, node), c) in _counters)
        {
            var entered = Interlocked.Read(ref c.Entered);
            var left = Interlocked.Read(ref c.Left);
            if (entered == c.SavedEntered && left == c.SavedLeft) continue;
            list.Add((conv, node, entered - c.SavedEntered, left - c.SavedLeft));
            c.SavedEntered = entered;
            c.SavedLeft = left;
        }
        return list;
    }
}
