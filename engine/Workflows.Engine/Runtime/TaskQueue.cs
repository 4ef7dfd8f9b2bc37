using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Workflows.Engine.Runtime;

/// <summary>
/// The tasks ready to run, and which tasks are held. A task is held by at most one owner at a time:
/// a run, a wake that is reading its row, or the pause that keeps it in place. Whoever submits a
/// task hands its hold to the runner, which releases it when the run ends.
/// </summary>
/// <remarks>
/// The timers hold the tasks they read ahead of their due time softly: any other holder takes a soft
/// hold over at once (a callback must not wait for a timer that is not due yet), and the timers,
/// finding the hold gone when the time comes, read the task again instead of firing a stale copy.
/// </remarks>
public sealed class TaskQueue
{
    const byte Hard = 0, Soft = 1;
    // One reader (the runner's dispatcher): the channel then queues without a lock, which many
    // writers at once (a wave of timers, requests) otherwise contended for.
    readonly Channel<TaskState> _ready = Channel.CreateUnbounded<TaskState>(new UnboundedChannelOptions { SingleReader = true });
    readonly ConcurrentDictionary<long, byte> _held = new();
    readonly ConcurrentQueue<long> _newTimers = new();
    long _timersReadThrough = long.MinValue;

    // Counted here: a channel with one reader cannot count.
    int _depth;

    /// <summary>Tasks waiting for a runner, for /health and back-pressure.</summary>
    public int Depth => Volatile.Read(ref _depth);

    /// <summary>Waits until a task is ready (false once the queue is closed and empty).</summary>
    internal ValueTask<bool> WaitToTakeAsync() => _ready.Reader.WaitToReadAsync();

    /// <summary>Takes a ready task; only the runner's dispatcher calls this.</summary>
    internal bool TryTake([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TaskState task)
    {
        if (!_ready.Reader.TryRead(out task)) return false;
        Interlocked.Decrement(ref _depth);
        return true;
    }

    /// <summary>Claims a task that nobody holds, or that only the timers hold ahead of its time.</summary>
    internal bool TryHold(long taskId) => _held.TryAdd(taskId, Hard) || _held.TryUpdate(taskId, Hard, Soft);

    internal void Release(long taskId) => _held.TryRemove(taskId, out _);

    /// <summary>
    /// Releases a task at the end of its run. A task left waiting for a time the timers have already
    /// read past (a short delay) is handed to them, since their read moves forward only.
    /// </summary>
    internal void Release(TaskState task)
    {
        Release(task.Id);
        if (task.Status == TaskPhase.Waiting && task.Wait?.DueAt is { } due && due.ToUnixTimeMilliseconds() <= Interlocked.Read(ref _timersReadThrough))
            _newTimers.Enqueue(task.Id);
    }

    /// <summary>How far the timers have read ahead (unix ms): waits due by then that start later are handed to them.</summary>
    internal void TimersReadThrough(long dueMs) => Interlocked.Exchange(ref _timersReadThrough, dueMs);

    /// <summary>Tasks that began waiting for a time the timers had already read past.</summary>
    internal bool TryTakeNewTimer(out long taskId) => _newTimers.TryDequeue(out taskId);

    /// <summary>
    /// Holds a task softly for the timers (see the remarks): true if it was free; <paramref name="mine"/>
    /// when the timers hold it softly already.
    /// </summary>
    internal bool TryHoldAhead(long taskId, out bool mine)
    {
        mine = false;
        if (_held.TryAdd(taskId, Soft)) return true;
        mine = IsHeldAhead(taskId);
        return false;
    }

    /// <summary>Turns the timers' soft hold into a hold; false when another holder took the task over meanwhile.</summary>
    internal bool TryFireAhead(long taskId) => _held.TryUpdate(taskId, Hard, Soft);

    /// <summary>Whether the timers hold this task read ahead of its time.</summary>
    internal bool IsHeldAhead(long taskId) => _held.TryGetValue(taskId, out var how) && how == Soft;

    /// <summary>Lets go of a soft hold, unless another holder has taken the task over.</summary>
    internal void DropAhead(long taskId) => _held.TryRemove(KeyValuePair.Create(taskId, Soft));

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
        Interlocked.Increment(ref _depth);
        if (!_ready.Writer.TryWrite(task))
        {
            Interlocked.Decrement(ref _depth);
            Release(task.Id);
            return Task.FromException(Stopping());
        }
        return task.FirstCommit?.Task ?? Task.CompletedTask;
    }

    /// <summary>Takes no more tasks: the engine is stopping.</summary>
    internal void Close() => _ready.Writer.TryComplete();

    internal static EngineException Stopping() => new(EngineErrorKind.Conflict, "the engine is stopping; try again in a moment");
}
