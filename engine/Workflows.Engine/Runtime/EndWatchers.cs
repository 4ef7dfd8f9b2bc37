using System.Collections.Concurrent;

namespace Workflows.Engine.Runtime;

/// <summary>Callers waiting for a task to end (the synchronous webhook), by task id.</summary>
public sealed class EndWatchers
{
    readonly ConcurrentDictionary<long, TaskCompletionSource<TaskState>> _watchers = new();

    /// <summary>Completes when the task ends; register before submitting it.</summary>
    internal Task<TaskState> Watch(long taskId) =>
        _watchers.GetOrAdd(taskId, _ => new TaskCompletionSource<TaskState>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    internal void Unwatch(long taskId) => _watchers.TryRemove(taskId, out _);

    internal void Ended(TaskState task)
    {
        if (!_watchers.IsEmpty && _watchers.TryRemove(task.Id, out var watcher)) watcher.TrySetResult(task);
    }
}
