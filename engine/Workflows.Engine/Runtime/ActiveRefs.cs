using System.Collections.Concurrent;

namespace Workflows.Engine.Runtime;

/// <summary>
/// The refs of a process's active (not finished) tasks: a second create with a ref still active is
/// refused. Loaded from the store at start; a unique partial index in the store is the backstop.
/// </summary>
public sealed class ActiveRefs
{
    readonly ConcurrentDictionary<(long ConvId, string Ref), long> _refs = new();

    /// <summary>Claims the ref for a task; gives back the id of the task holding it otherwise.</summary>
    public bool TryClaim(long convId, string reference, long taskId, out long holder)
    {
        holder = _refs.GetOrAdd((convId, reference), taskId);
        return holder == taskId;
    }

    public long? Holder(long convId, string reference) => _refs.TryGetValue((convId, reference), out var id) ? id : null;

    public void Release(long convId, string reference, long taskId) =>
        _refs.TryRemove(new KeyValuePair<(long, string), long>((convId, reference), taskId));

    public void ForgetProcess(long convId)
    {
        foreach (var key in _refs.Keys.Where(k => k.ConvId == convId).ToList()) _refs.TryRemove(key, out _);
    }
}
