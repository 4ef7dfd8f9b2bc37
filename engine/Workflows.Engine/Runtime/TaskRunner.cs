using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Store;
using Workflows.Engine.TestRuns;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Moves tasks through their process, and only that: takes a task from the queue (or a new one on
/// the caller's thread), runs its node, applies the outcome. Instant steps chain in memory; progress
/// is committed (group commit) before an effect such as an API call, when the task waits or ends, and
/// every <see cref="EngineOptions.StepsPerRun"/> steps. Many runs are in flight at once, but only a
/// few (twice the cores) compute at a time: a run gives its slot back while it awaits a commit or an
/// effect, so slow HTTP calls never starve the others. Pauses (<see cref="PausedTasks"/>), count
/// limits (<see cref="CountLimits"/>), end watchers (<see cref="EndWatchers"/>) and the error fields
/// (<see cref="ConveyorFields"/>) live in their own places.
/// </summary>
public sealed class TaskRunner : IDisposable
{
    readonly TaskQueue _queue;
    readonly ProcessRegistry _processes;
    readonly TaskWriter _writer;
    readonly ActiveRefs _refs;
    readonly PausedTasks _paused;
    readonly CountLimits _limits;
    readonly EndWatchers _watchers;
    readonly NodeServices _services;
    readonly EngineMetrics _metrics;
    readonly EngineOptions _options;
    readonly IClock _clock;
    readonly ILogger<TaskRunner> _log;
    readonly CancellationTokenSource _stopping = new();
    readonly SemaphoreSlim _compute;
    // Bounds the runs in flight (each holds one task in memory); the queue waits beyond it.
    readonly SemaphoreSlim _inFlight;
    Task? _dispatcher;
    int _running;
    volatile bool _accepting = true;

    public TaskRunner(
        TaskQueue queue, ProcessRegistry processes, TaskWriter writer, ActiveRefs refs, PausedTasks paused, CountLimits limits,
        EndWatchers watchers, NodeServices services, EngineMetrics metrics, EngineOptions options, IClock clock, ILogger<TaskRunner> log)
    {
        (_queue, _processes, _writer, _refs, _paused, _limits, _watchers, _services, _metrics, _options, _clock, _log) =
            (queue, processes, writer, refs, paused, limits, watchers, services, metrics, options, clock, log);
        _compute = new(options.Runners > 0 ? options.Runners : Environment.ProcessorCount * 2);
        _inFlight = new(options.MaxRunsInFlight);
        metrics.Observe("workflows_queue_depth", () => queue.Depth, "Tasks waiting for a runner");
        metrics.Observe("workflows_runs_in_flight", () => Running, "Runs in flight");
    }

    int _sweepWanted;

    /// <summary>Whether a run failed since the last call, so moving tasks may be left without a runner.</summary>
    internal bool TakeSweepRequest() => Interlocked.Exchange(ref _sweepWanted, 0) == 1;

    /// <summary>Tasks waiting for a runner, for /health and back-pressure.</summary>
    public int QueueDepth => _queue.Depth;
    public int Running => Volatile.Read(ref _running);
    /// <summary>Compute slots not held by a run: all of them once no run is in flight (a slot given back twice, or never, shows here).</summary>
    internal int FreeComputeSlots => _compute.CurrentCount;

    public void Start() => _dispatcher = Task.Run(Dispatch);

    /// <summary>Stops taking tasks, lets runs finish their step for a grace period, then cancels what is left.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _accepting = false;
        _queue.Close();
        if (_dispatcher is not null) await _dispatcher;
        var until = DateTime.UtcNow + grace;
        while (Running > 0 && DateTime.UtcNow < until) await Task.Delay(20);
        await _stopping.CancelAsync();
        until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Running > 0 && DateTime.UtcNow < until) await Task.Delay(20);
    }

    /// <summary>
    /// Runs a new task on the caller's thread (a request's) up to its first commit instead of through
    /// the queue: one thread hop less per task, and the first steps of new tasks run side by side on
    /// the request threads rather than one after another on the dispatcher. When the runs in flight
    /// are at their bound, the task waits in the queue like any other. Completes once the task is stored.
    /// </summary>
    public Task SubmitNew(TaskState task)
    {
        _queue.TryHold(task.Id);
        if (!_accepting || !_inFlight.Wait(0)) return _queue.SubmitHeld(task);
        task.FirstCommit ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _running);
        _ = RunOne(task);
        return task.FirstCommit.Task;
    }

    async Task Dispatch()
    {
        while (await _queue.WaitToTakeAsync())
            while (_queue.TryTake(out var task))
            {
                await _inFlight.WaitAsync();
                Interlocked.Increment(ref _running);
                _ = RunOne(task);
            }
    }

    async Task RunOne(TaskState task)
    {
        var keep = false;
        task.SlotReturned = false;
        await _compute.WaitAsync();
        try { keep = await Run(task); }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the task keeps its last committed place and continues after the restart.
            task.FirstCommit?.TrySetException(TaskQueue.Stopping());
        }
        catch (Exception e) when (e is TaskLostException or NodeFencedException)
        {
            // Another node moves the task now (a wake arrived there, or it took this node over): let it go.
            _log.LogInformation("Task {Task} of process {ConvId}: {Reason}", task.ObjId, task.ConvId, e.Message);
            task.FirstCommit?.TrySetException(e);
        }
        catch (Exception e)
        {
            _log.LogError(e, "Task {Task} of process {ConvId} failed in the runner; it goes on from its last committed step", task.ObjId, task.ConvId);
            task.FirstCommit?.TrySetException(e);
            // Say, a commit the database refused (a deadlock, a dropped connection): the task's row still
            // says it is moving, so the next sweep hands it to a runner again instead of leaving it until a restart.
            Interlocked.Exchange(ref _sweepWanted, 1);
        }
        finally
        {
            // A run that ended with its last commit gave its slot back before that commit. A kept task may
            // already be in another run, so its flag is not this run's: a kept task's run still holds its slot.
            if (keep || !task.SlotReturned) _compute.Release();
            if (!keep) _queue.Release(task);
            Interlocked.Decrement(ref _running);
            _inFlight.Release();
        }
    }

    /// <summary>Runs the task until it waits, ends or yields; true when the task stays held (queued again, or parked).</summary>
    async Task<bool> Run(TaskState task)
    {
        var steps = 0;
        while (true)
        {
            if (task.Resume is null && _paused.IsPaused(task.ConvId))
            {
                // A paused (or broken) process keeps its tasks in place; resuming (or saving) the process continues them.
                if (task.Pending.Count > 0 || !task.Stored) await Commit(task);
                _paused.Park(task);
                return true;
            }
            var process = await _processes.VersionFor(task);
            var node = process?.Node(task.NodeId);
            if (process is null || node is null)
            {
                // The process was deleted, or no version has the node any more: nothing can run it.
                if (process is not null) await Stop(task, "node_missing", $"node '{task.NodeId}' is in no version of process {task.ConvId}");
                else task.FirstCommit?.TrySetException(EngineException.NotFound($"process {task.ConvId} does not exist"));
                return false;
            }
            task.Version = process.Version;
            if (task.Resume is null && task.Test?.StopsBefore(node.Id) == true)
            {
                // A debug run stops before the node until Step or Continue wakes it (TaskWaker.DebugAsync).
                task.Status = TaskPhase.Waiting;
                task.Wait = new WaitSpec(WaitSpec.Debug);
                task.ChangedAt = _clock.UtcNow;
                await Commit(task, last: true);
                return false;
            }
            var (step, outcome, reason) = await Step(task, node);
            if (step.Changed && outcome.Kind != OutcomeKind.Fail && TaskJson.Size(task.Data) is var size && size > process.TaskSizeLimit)
            {
                step.Undo();
                outcome = NodeOutcome.Software("task_size_limit", $"the task's data would be {size} bytes, over the limit of {process.TaskSizeLimit}");
                LetGo(task);
            }
            task.ChangedAt = _clock.UtcNow;
            if (!await Apply(task, process, node, step, outcome, reason)) return false;
            // A task taken from a queue moves on once its taker's step is committed: commit now, not later.
            if (task.Taken is not null) await Commit(task);

            if (++steps >= _options.StepsPerRun)
            {
                // Yield: commit what was done and let other tasks run before continuing.
                await Commit(task);
                _ = _queue.SubmitHeld(task);
                return true;
            }
        }
    }

    /// <summary>Runs the task's node, or, for a task that was waiting in it, takes the wake's outcome.</summary>
    async ValueTask<(StepContext Step, NodeOutcome Outcome, string? Reason)> Step(TaskState task, CompiledNode node)
    {
        StepContext? merged = null;
        DateTimeOffset? keptLimit = null;
        if (task.Resume is { Enter: true })
        {
            task.Resume = null;
            task.Status = TaskPhase.Processing;
            task.Wait = null;
        }
        else if (task.Resume is { } wake)
        {
            // The task was waiting in this node: it leaves by the wake's exit without running the node again.
            var resumed = new StepContext(task, _services, _stopping.Token);
            task.Resume = null;
            task.Status = TaskPhase.Processing;
            keptLimit = task.Wait?.TimeoutAt;
            task.Wait = null;
            if (wake.Merge is not null)
                foreach (var (key, value) in wake.Merge) resumed.Set(key, value?.DeepClone());
            if (!wake.Rerun) return (resumed, wake.Outcome, wake.Reason);
            // A state re-checks its rules on the merged data: the node runs again in the same step.
            merged = resumed;
        }
        // A time limit on an effect (an API call, say) abandons it when the limit comes first.
        CancellationTokenSource? limit = null;
        if (node.Kind == NodeKind.Effect && node.Definition.TimeLimit is not null) limit = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        using var ownLimit = limit;
        var step = merged ?? new StepContext(task, _services, limit?.Token ?? _stopping.Token);
        if (limit is not null && TimeLimitOf(node, step) is { } deadline)
            limit.CancelAfter(deadline > step.Now ? deadline - step.Now : TimeSpan.Zero);
        if (node.Kind == NodeKind.Effect && (task.Pending.Count > 0 || !task.Stored)) await Commit(task);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var span = EngineTracing.Step(task, node);
        NodeOutcome outcome;
        try
        {
            // A test task's node gets its pinned answer instead of calling out (TestRuns.PinnedAnswers).
            if (task.Test is { } test) PinnedAnswers.Current = new TestStep(node.Id, test.Answers.GetValueOrDefault(node.Id));
            outcome = node.Kind == NodeKind.Effect
                ? await Outside(() => node.Type.ExecuteAsync(step, node.Prepared))
                : await Instant(node.Type.ExecuteAsync(step, node.Prepared));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { throw; }
        catch (OperationCanceledException) when (limit?.IsCancellationRequested == true) { outcome = NodeOutcome.Go(Exits.Timeout); }
        catch (Exception e)
        {
            _log.LogError(e, "Node {Node} ({Type}) of process {ConvId} threw", node.Id, node.Type.Name, task.ConvId);
            step.Undo();
            outcome = NodeOutcome.Software("internal_error", $"the {node.Type.Name} node failed unexpectedly: {e.Message}");
        }
        finally { PinnedAnswers.Current = null; }
        if (task.Test is null) _metrics.Step(node.Type.Name, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        string? reason = null;
        if (limit?.IsCancellationRequested == true && !_stopping.IsCancellationRequested)
        {
            // The limit came before the answer: whatever the node made of the cancellation is dropped.
            step.Undo();
            outcome = NodeOutcome.Go(Exits.Timeout);
            reason = "time_limit";
        }
        // Staying after a rerun keeps the time limit counted from when the task entered.
        if (keptLimit is not null && outcome is { Kind: OutcomeKind.Wait, Wait: { } again } && !(again.TimeoutAt <= keptLimit))
            outcome = NodeOutcome.WaitFor(again with { TimeoutAt = keptLimit });
        EngineTracing.Ended(span, outcome);
        return (step, outcome, reason);
    }

    /// <summary>Applies a step's outcome; true when the task moved on to another node of this run.</summary>
    async ValueTask<bool> Apply(TaskState task, CompiledProcess process, CompiledNode node, StepContext step, NodeOutcome outcome, string? reason)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Go:
                Record(task, node, step, reason ?? "go", outcome.Exit, null);
                if (node.Next(outcome.Exit!) is not { } next)
                {
                    await Stop(task, "exit_not_connected", $"node '{node.Id}' left by its '{outcome.Exit}' exit, which leads nowhere");
                    return false;
                }
                return await MoveTo(task, process, next);

            case OutcomeKind.Fail:
                ConveyorFields.WriteError(step, node.Type.Description.ErrorKind ?? node.Type.Name, outcome.Error!);
                Record(task, node, step, reason ?? "fail", Exits.Error, outcome.Error!.Tag);
                if (node.Next(Exits.Error) is not { } errorTarget)
                {
                    await Finish(task, "error");
                    return false;
                }
                return await MoveTo(task, process, errorTarget);

            case OutcomeKind.Wait:
                Record(task, node, step, reason ?? "wait", null, null);
                task.Status = TaskPhase.Waiting;
                task.Wait = outcome.Wait;
                // The limit counts from when the task entered, not from a modify that left it waiting.
                if (reason is null && TimeLimitOf(node, step) is { } due && outcome.Wait is { } wait && !(wait.TimeoutAt <= due))
                    task.Wait = wait with { TimeoutAt = due };
                await Commit(task, last: true);
                return false;

            default:
                Record(task, node, step, "finish", null, null);
                await Finish(task, outcome.Result ?? "success");
                return false;
        }
    }

    /// <summary>Enters the next node, unless the loop guard stops the task there.</summary>
    async ValueTask<bool> MoveTo(TaskState task, CompiledProcess process, string next)
    {
        var visits = task.Visits.GetValueOrDefault(next) + 1;
        // A test task counts nowhere: not in the nodes' counters, so not in their count limits either.
        if (task.Test is null) _limits.Move(process, task.NodeId, next);
        task.NodeId = next;
        task.Visits[next] = visits;
        if (visits <= process.LoopLimit) return true;
        await Stop(task, "loop_limit", $"the task entered node '{next}' more than {process.LoopLimit} times");
        return false;
    }

    /// <summary>Ends the task where it is, as an error the runner found (not a node's own error exit).</summary>
    async Task Stop(TaskState task, string tag, string description)
    {
        ConveyorFields.WriteStop(task.Data, tag, description);
        task.Pending.Add(new StepRecord(task.NodeId, _clock.UtcNow.ToUnixTimeMilliseconds(), "stop", null, null, null, $"{tag}: {description}"));
        await Finish(task, "error");
    }

    async Task Finish(TaskState task, string result)
    {
        task.Status = TaskPhase.Finished;
        task.Result = result;
        task.Wait = null;
        await Commit(task, last: true);
        if (task.Test is null) _metrics.Finished(task.ConvId, result);
        if (task.Ref is not null) _refs.Release(task.ConvId, task.Ref, task.Id);
        _watchers.Ended(task);
    }

    /// <summary>
    /// When a task entering the node now must leave it by its time limit; null without one, or when
    /// its until template gives no time (the node then has no limit for this task, which is logged).
    /// </summary>
    DateTimeOffset? TimeLimitOf(CompiledNode node, StepContext step)
    {
        if (node.Definition.TimeLimit is not { } limit) return null;
        try { return limit.Deadline(step.Scope, step.Now); }
        catch (Templates.TemplateException e)
        {
            _log.LogWarning("Time limit of node {Node} in process {ConvId} gives no time for task {Task}: {Reason}", node.Id, step.Task.ConvId, step.Task.ObjId, e.Message);
            return null;
        }
    }

    /// <summary>
    /// An instant node that has to wait (a script runs on a script thread) gives its compute slot
    /// back until it is done, so that scripts, hostile ones included, never hold up other tasks.
    /// </summary>
    async ValueTask<NodeOutcome> Instant(ValueTask<NodeOutcome> step)
    {
        if (step.IsCompleted) return step.Result;
        _compute.Release();
        try { return await step; }
        finally { await _compute.WaitAsync(); }
    }

    /// <summary>Awaits I/O without holding a compute slot.</summary>
    async ValueTask<T> Outside<T>(Func<ValueTask<T>> work)
    {
        _compute.Release();
        try { return await work(); }
        finally { await _compute.WaitAsync(); }
    }

    /// <summary>
    /// Commits the task's progress. The run's last commit (the task waits or ends; it stays held until
    /// the run lets it go) gives the compute slot back for good instead of waiting for it again only to
    /// give it back: one slot hand-over less per run.
    /// </summary>
    async Task Commit(TaskState task, bool last = false)
    {
        try
        {
            if (!last) await Outside(async () => { await _writer.Save(task); return true; });
            else
            {
                task.SlotReturned = true;
                _compute.Release();
                await _writer.Save(task);
            }
        }
        catch
        {
            LetGo(task);
            throw;
        }
        if (!task.Stored)
        {
            task.Stored = true;
            task.FirstCommit?.TrySetResult();
        }
        if (task.Taken is { } taken)
        {
            // Committed together with its taker: the taken task now runs on from the queue's next node.
            task.Taken = null;
            if (taken.Task.Test is null) _limits.Move(taken.Process, taken.From, taken.To);
            _ = _queue.SubmitHeld(taken.Task);
        }
    }

    /// <summary>A take from a queue that will not be committed: the queued task stays where its row says.</summary>
    static void LetGo(TaskState task)
    {
        if (task.Taken is not { } taken) return;
        task.Taken = null;
        taken.Taker.LetGo(taken);
    }

    static void Record(TaskState task, CompiledNode node, StepContext step, string outcome, string? exit, string? error)
    {
        var (set, unset, before) = step.Changes();
        // A test task keeps the whole data after each step; others only the difference (set, unset, before).
        task.Pending.Add(new StepRecord(node.Id, step.Now.ToUnixTimeMilliseconds(), outcome, exit, set, unset, error)
        {
            Before = before,
            Data = task.Test is null ? null : (JsonObject)task.Data.DeepClone(),
        });
    }

    /// <summary>
    /// Frees the slots and the stop signal once no run is left; a run still ending after
    /// <see cref="StopAsync"/>'s grace keeps them (they hold no unmanaged resource).
    /// </summary>
    public void Dispose()
    {
        if (Running > 0) return;
        _compute.Dispose();
        _inFlight.Dispose();
        _stopping.Dispose();
    }
}
