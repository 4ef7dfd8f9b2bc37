using System.Collections.Concurrent;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Tasks of paused processes, kept in place (and held, so no wake moves them behind the pause's back)
/// until the process is resumed.
/// </summary>
public sealed class PausedTasks(ProcessRegistry processes, TaskQueue queue)
{
    readonly ConcurrentDictionary<long, ConcurrentQueue<TaskState>> _parked = new();
    readonly ConcurrentDictionary<long, byte> _parkedIds = new();

    internal bool IsPaused(long convId) => processes.Find(convId)?.Paused == true;

    internal bool IsParked(long taskId) => _parkedIds.ContainsKey(taskId);

    /// <summary>Keeps a held, committed task until its process is resumed.</summary>
    internal void Park(TaskState task)
    {
        _parked.GetOrAdd(task.ConvId, _ => new()).Enqueue(task);
        _parkedIds.TryAdd(task.Id, 0);
        // Resumed while the task was being parked: nobody else will continue it.
        if (!IsPaused(task.ConvId)) Unpark(task.ConvId);
    }

    /// <summary>Continues the tasks a paused process kept in place, once it is active again.</summary>
    public void Unpark(long convId)
    {
        if (IsPaused(convId) || !_parked.TryGetValue(convId, out var parked)) return;
        while (parked.TryDequeue(out var task))
        {
            _parkedIds.TryRemove(task.Id, out _);
            _ = queue.SubmitHeld(task);
        }
    }
}
