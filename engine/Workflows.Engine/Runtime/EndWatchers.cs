using System.Collections.Concurrent;

namespace Workflows.Engine.Runtime;

/// <summary>Callers waiting for a task to end (the synchronous webhook), by task id.</summary>
public sealed class EndWatchers
{
    readonly ConcurrentDictionary<long, TaskCompletionSource<TaskState>> _watchers = new();
    // Every task's end asks whether anyone waits; the dictionary's IsEmpty takes all its locks when it is
    // empty, which serialised the runners of a timer wave on them. A count read without a lock does not.
    int _count;

    /// <summary>Completes when the task ends; register before submitting it.</summary>
    internal Task<TaskState> Watch(long taskId)
    {
        while (true)
        {
            if (_watchers.TryGetValue(taskId, out var watching)) return watching.Task;
            // Counted before it is added: an end seen in between finds a count, never a watcher it skipped.
            Interlocked.Increment(ref _count);
            var watcher = new TaskCompletionSource<TaskState>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_watchers.TryAdd(taskId, watcher)) return watcher.Task;
            Interlocked.Decrement(ref _count);
        }
    }

    internal void Unwatch(long taskId)
    {
        if (_watchers.TryRemove(taskId, out _)) Interlocked.Decrement(ref _count);
    }

    internal void Ended(TaskState task)
    {
        if (Volatile.Read(ref _count) == 0 || !_watchers.TryRemove(task.Id, out var watcher)) return;
        Interlocked.Decrement(ref _count);
        watcher.TrySetResult(task);
    }
}
