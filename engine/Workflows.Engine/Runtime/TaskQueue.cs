using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Workflows.Engine.Runtime;

/// <summary>
/// The tasks ready to run, and which tasks are held. A task is held by at most one owner at a time:
/// a run, a wake that is reading its row, or the pause that keeps it in place. Whoever submits a
/// task hands its hold to the runner, which releases it when the run ends.
/// </summary>
public sealed class TaskQueue
{
    readonly Channel<TaskState> _ready = Channel.CreateUnbounded<TaskState>();
    readonly ConcurrentDictionary<long, byte> _held = new();

    /// <summary>Tasks waiting for a runner, for /health and back-pressure.</summary>
    public int Depth => _ready.Reader.Count;

    internal ChannelReader<TaskState> Reader => _ready.Reader;

    /// <summary>Claims a task that nobody holds.</summary>
    internal bool TryHold(long taskId) => _held.TryAdd(taskId, 0);

    internal void Release(long taskId) => _held.TryRemove(taskId, out _);

    /// <summary>Holds a task and queues it; for a new task the returned task completes once it is stored.</summary>
    internal Task Submit(TaskState task)
    {
        TryHold(task.Id);
        return SubmitHeld(task);
    }

    /// <summary>Queues a task the caller already holds.</summary>
    internal Task SubmitHeld(TaskState task)
    {
        if (!task.Stored) task.FirstCommit ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_ready.Writer.TryWrite(task))
        {
            Release(task.Id);
            return Task.FromException(Stopping());
        }
        return task.FirstCommit?.Task ?? Task.CompletedTask;
    }

    /// <summary>Takes no more tasks: the engine is stopping.</summary>
    internal void Close() => _ready.Writer.TryComplete();

    internal static EngineException Stopping() => new(EngineErrorKind.Conflict, "the engine is stopping; try again in a moment");
}
