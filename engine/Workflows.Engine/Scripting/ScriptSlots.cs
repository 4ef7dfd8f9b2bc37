using System.Collections.Concurrent;
using System.Diagnostics;

namespace Workflows.Engine.Scripting;

/// <summary>
/// Threads that run scripts, so that no script can hold up the engine: the runner that asked awaits
/// (and gives its compute slot back meanwhile), each script running at once has a thread of its own,
/// and a script still running past its limit plus a grace period (stuck inside one built-in call,
/// where Jint's limits are not checked) is failed to its node's error exit by a watchdog. Its thread
/// is left to finish that call and end: .NET cannot stop a thread, so the slot is given up and the
/// next script gets a new one. <see cref="Stuck"/> counts such slots for /health.
/// </summary>
public sealed class ScriptSlots : IDisposable
{
    readonly TimeSpan _limit;
    readonly TimeSpan _deadline;
    readonly ConcurrentStack<Slot> _idle = new();
    readonly ConcurrentDictionary<Slot, byte> _busy = new();
    readonly Timer _watchdog;
    int _stuck;
    int _threads;
    const int MaxIdle = 16;

    /// <param name="limit">The scripts' time limit; a script is failed once it runs past it by a grace period.</param>
    public ScriptSlots(TimeSpan limit)
    {
        // Jint checks its limits every few statements; the grace covers that and a busy machine.
        _limit = limit;
        _deadline = limit + TimeSpan.FromMilliseconds(Math.Max(500, limit.TotalMilliseconds / 2));
        var every = TimeSpan.FromMilliseconds(Math.Clamp(limit.TotalMilliseconds / 10, 20, 200));
        _watchdog = new Timer(_ => Watch(), null, every, every);
    }

    /// <summary>Slots given up because their script outlived its limit and is still inside a call.</summary>
    public int Stuck => Volatile.Read(ref _stuck);
    /// <summary>Scripts running now.</summary>
    public int Busy => _busy.Count;
    /// <summary>Script threads alive, idle ones included.</summary>
    public int Threads => Volatile.Read(ref _threads);

    /// <summary>Runs the work on a script thread; fails with a timeout if it outlives the limit.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "A slot belongs to its thread and disposes itself when the thread ends.")]
    public Task<T> Run<T>(Func<T> work)
    {
        var job = new Job<T>(work);
        if (!_idle.TryPop(out var slot)) slot = new Slot(this);
        slot.Start(job);
        return job.Result.Task;
    }

    void Watch()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var slot in _busy.Keys)
        {
            if (slot.Job is not { } job || Stopwatch.GetElapsedTime(job.Started, now) <= _deadline) continue;
            if (!slot.GiveUp(job)) continue;
            _busy.TryRemove(slot, out _);
            Interlocked.Increment(ref _stuck);
            job.Fail(new ScriptFailureException("timeout",
                $"the script ran longer than {_limit.TotalMilliseconds} ms, inside one built-in call where the limit could not stop it; it was failed and its slot replaced"));
        }
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        while (_idle.TryPop(out var slot)) slot.Start(null);
    }

    abstract class Job
    {
        public long Started;
        public abstract void Execute();
        public abstract void Fail(Exception e);
    }

    sealed class Job<T>(Func<T> work) : Job
    {
        public readonly TaskCompletionSource<T> Result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute()
        {
            try { Result.TrySetResult(work()); }
            catch (Exception e) { Result.TrySetException(e); }
        }

        public override void Fail(Exception e) => Result.TrySetException(e);
    }

    /// <summary>One script thread: waits for a job, runs it, goes back to the idle stack.</summary>
    sealed class Slot : IDisposable
    {
        readonly ScriptSlots _owner;
        // No spinning before it sleeps (SemaphoreSlim spins): an idle slot may wait long for its next
        // script, and in a profile of a busy node that spin was most of the script threads' samples.
        readonly ManualResetEventSlim _signal = new(false, spinCount: 0);
        Job? _next;
        volatile Job? _job;
        int _givenUp;

        public Slot(ScriptSlots owner)
        {
            _owner = owner;
            Interlocked.Increment(ref owner._threads);
            new Thread(Loop) { IsBackground = true, Name = "script" }.Start();
        }

        public Job? Job => _job;

        /// <summary>Hands the slot a job (null: end the thread).</summary>
        public void Start(Job? job)
        {
            _next = job;
            _signal.Set();
        }

        /// <summary>The watchdog takes the job away; false if the job finished meanwhile.</summary>
        public bool GiveUp(Job job) => _job == job && Interlocked.CompareExchange(ref _givenUp, 1, 0) == 0;

        void Loop()
        {
            try
            {
                while (true)
                {
                    _signal.Wait();
                    _signal.Reset();
                    if (_next is not { } job) return;
                    _next = null;
                    job.Started = Stopwatch.GetTimestamp();
                    _job = job;
                    _owner._busy.TryAdd(this, 0);
                    job.Execute();
                    _job = null;
                    if (Interlocked.CompareExchange(ref _givenUp, 0, 0) == 1)
                    {
                        // Given up by the watchdog: its caller has moved on. This thread ends here.
                        Interlocked.Decrement(ref _owner._stuck);
                        return;
                    }
                    _owner._busy.TryRemove(this, out _);
                    // After a burst, keep a few idle threads, not one for every script that ran at once.
                    if (_owner._idle.Count >= MaxIdle) return;
                    _owner._idle.Push(this);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _owner._threads);
                // The thread ends here, out of the idle stack: nobody signals this slot again.
                Dispose();
            }
        }

        public void Dispose() => _signal.Dispose();
    }
}
