using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Moves tasks through their process. Instant steps chain in memory; progress is committed (group
/// commit) before an effect such as an API call, when the task waits or ends, and every
/// <see cref="EngineOptions.StepsPerRun"/> steps. A task is held by one run at a time. Many runs
/// are in flight at once, but only a few (twice the cores) compute at a time: a run gives its
/// slot back while it awaits a commit or an effect, so slow HTTP calls never starve the others.
/// </summary>
public sealed class TaskRunner(
    ProcessRegistry processes, TaskWriter writer, NodeCounters counters, ActiveRefs refs,
    NodeServices services, EngineMetrics metrics, EngineOptions options, ILogger<TaskRunner> log)
{
    readonly Channel<TaskState> _ready = Channel.CreateUnbounded<TaskState>();
    readonly CancellationTokenSource _stopping = new();
    readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> _held = new();
    // Tasks of paused processes, kept where they are until the process is resumed.
    readonly System.Collections.Concurrent.ConcurrentDictionary<long, System.Collections.Concurrent.ConcurrentQueue<TaskState>> _parked = new();
    readonly System.Collections.Concurrent.ConcurrentDictionary<long, byte> _parkedIds = new();
    // Callers waiting for a task to end (the synchronous webhook), by task id.
    readonly System.Collections.Concurrent.ConcurrentDictionary<long, TaskCompletionSource<TaskState>> _endWatchers = new();
    readonly SemaphoreSlim _compute = new(options.Runners > 0 ? options.Runners : Environment.ProcessorCount * 2);
    // Bounds the runs in flight (each holds one task in memory); the queue waits beyond it.
    readonly SemaphoreSlim _inFlight = new(options.MaxRunsInFlight);
    Task? _dispatcher;
    int _running;
    volatile bool _accepting = true;

    /// <summary>Tasks waiting for a runner, for /health and back-pressure.</summary>
    public int QueueDepth => _ready.Reader.Count;
    public int Running => Volatile.Read(ref _running);

    public void Start() => _dispatcher = Task.Run(Dispatch);

    /// <summary>Stops taking tasks, lets runs finish their step for a grace period, then cancels what is left.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _accepting = false;
        _ready.Writer.TryComplete();
        if (_dispatcher is not null) await _dispatcher;
        var until = DateTime.UtcNow + grace;
        while (Running > 0 && DateTime.UtcNow < until) await Task.Delay(20);
        await _stopping.CancelAsync();
        until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Running > 0 && DateTime.UtcNow < until) await Task.Delay(20);
    }

    /// <summary>
    /// Hands a task to the runners and holds it until its run ends; for a new task the returned task
    /// completes once it is stored.
    /// </summary>
    public Task Submit(TaskState task)
    {
        _held.TryAdd(task.Id, 0);
        return SubmitHeld(task);
    }

    /// <summary>
    /// Runs a new task on the caller's thread (a request's) up to its first commit instead of through
    /// the queue: one thread hop less per task, and the first steps of new tasks run side by side on
    /// the request threads rather than one after another on the dispatcher. When the runs in flight
    /// are at their bound, the task waits in the queue like any other.
    /// </summary>
    public Task SubmitNew(TaskState task)
    {
        _held.TryAdd(task.Id, 0);
        if (!_accepting || !_inFlight.Wait(0)) return SubmitHeld(task);
        task.FirstCommit ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _running);
        _ = RunOne(task);
        return task.FirstCommit.Task;
    }

    /// <summary>Runs a task the caller already holds (see <see cref="TryHold"/>).</summary>
    internal Task SubmitHeld(TaskState task)
    {
        if (!task.Stored) task.FirstCommit ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_ready.Writer.TryWrite(task))
        {
            Release(task.Id);
            return Task.FromException(new EngineException(EngineErrorKind.Conflict, "the engine is stopping; try again in a moment"));
        }
        return task.FirstCommit?.Task ?? Task.CompletedTask;
    }

    /// <summary>Continues the tasks a paused process kept in place, once it is active again.</summary>
    public void Unpark(long convId)
    {
        if (processes.Find(convId) is { Paused: true } || !_parked.TryGetValue(convId, out var queue)) return;
        while (queue.TryDequeue(out var task))
        {
            _parkedIds.TryRemove(task.Id, out _);
            _ = SubmitHeld(task);
        }
    }

    internal bool IsParked(long taskId) => _parkedIds.ContainsKey(taskId);

    /// <summary>Claims a task that no runner holds, so that a wake can read its committed row and move it.</summary>
    internal bool TryHold(long taskId) => _held.TryAdd(taskId, 0);

    internal void Release(long taskId) => _held.TryRemove(taskId, out _);


    async Task Dispatch()
    {
        await foreach (var task in _ready.Reader.ReadAllAsync())
        {
            await _inFlight.WaitAsync();
            Interlocked.Increment(ref _running);
            _ = RunOne(task);
        }
    }

    async Task RunOne(TaskState task)
    {
        var requeued = false;
        await _compute.WaitAsync();
        try { requeued = await Run(task); }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the task keeps its last committed place and continues after the restart.
            task.FirstCommit?.TrySetException(new EngineException(EngineErrorKind.Conflict, "the engine is stopping; try again in a moment"));
        }
        catch (Exception e)
        {
            log.LogError(e, "Task {Task} of process {ConvId} failed in the runner", task.ObjId, task.ConvId);
            task.FirstCommit?.TrySetException(e);
        }
        finally
        {
            _compute.Release();
            if (!requeued) Release(task.Id);
            Interlocked.Decrement(ref _running);
            _inFlight.Release();
        }
    }

    /// <summary>Runs the task until it waits, ends or yields; true when it was queued again to continue.</summary>
    async Task<bool> Run(TaskState task)
    {
        var steps = 0;
        while (true)
        {
            if (task.Resume is null && processes.Find(task.ConvId)?.Paused == true)
            {
                // A paused (or broken) process keeps its tasks in place; resuming (or saving) the process continues them.
                if (task.Pending.Count > 0 || !task.Stored) await Commit(task);
                // Still held while parked, so no wake can move it behind the queue's back.
                _parked.GetOrAdd(task.ConvId, _ => new()).Enqueue(task);
                _parkedIds.TryAdd(task.Id, 0);
                if (processes.Find(task.ConvId)?.Paused != true) Unpark(task.ConvId);
                return true;
            }
            var process = await processes.VersionFor(task);
            var node = process?.Node(task.NodeId);
            if (process is null || node is null)
            {
                // The process was deleted, or no version has the node any more: nothing can run it.
                if (process is not null) await End(task, "error", "node_missing", $"node '{task.NodeId}' is in no version of process {task.ConvId}");
                else task.FirstCommit?.TrySetException(EngineException.NotFound($"process {task.ConvId} does not exist"));
                return false;
            }
            task.Version = process.Version;
            // A time limit on an effect (an API call, say) abandons it when the limit comes first.
            using var limit = task.Resume is null && node.Kind == NodeKind.Effect && node.Definition.TimeLimit is not null
                ? CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token) : null;
            var step = new StepContext(task, services, limit?.Token ?? _stopping.Token);
            NodeOutcome outcome;
            string? reason = null;
            if (limit is not null && TimeLimitOf(node, step) is { } deadline)
                limit.CancelAfter(deadline > step.Now ? deadline - step.Now : TimeSpan.Zero);
            if (task.Resume is { } wake)
            {
                // The task was waiting in this node: it leaves by the wake's exit without running the node again.
                task.Resume = null;
                task.Status = TaskStatus.Processing;
                task.Wait = null;
                reason = wake.Reason;
                if (wake.Merge is not null)
                    foreach (var (key, value) in wake.Merge) step.Set(key, value?.DeepClone());
                outcome = wake.Outcome;
            }
            else
            {
                if (node.Kind == NodeKind.Effect && (task.Pending.Count > 0 || !task.Stored)) await Commit(task);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                using var span = EngineTracing.Step(task, node);
                try
                {
                    outcome = node.Kind == NodeKind.Effect
                        ? await Outside(() => node.Type.ExecuteAsync(step, node.Prepared))
                        : await Instant(node.Type.ExecuteAsync(step, node.Prepared));
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { throw; }
                catch (OperationCanceledException) when (limit?.IsCancellationRequested == true) { outcome = NodeOutcome.Go(Exits.Timeout); }
                catch (Exception e)
                {
                    log.LogError(e, "Node {Node} ({Type}) of process {ConvId} threw", node.Id, node.Type.Name, task.ConvId);
                    step.Undo();
                    outcome = NodeOutcome.Software("internal_error", $"the {node.Type.Name} node failed unexpectedly: {e.Message}");
                }
                metrics.Step(node.Type.Name, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (limit?.IsCancellationRequested == true && !_stopping.IsCancellationRequested)
                {
                    // The limit came before the answer: whatever the node made of the cancellation is dropped.
                    step.Undo();
                    outcome = NodeOutcome.Go(Exits.Timeout);
                    reason = "time_limit";
                }
                EngineTracing.Ended(span, outcome);
            }
            if (step.Changed && outcome.Kind != OutcomeKind.Fail && TaskJson.Size(task.Data) is var size && size > process.TaskSizeLimit)
            {
                step.Undo();
                outcome = NodeOutcome.Software("task_size_limit", $"the task's data would be {size} bytes, over the limit of {process.TaskSizeLimit}");
            }
            task.ChangedAt = services.Clock.UtcNow;

            switch (outcome.Kind)
            {
                case OutcomeKind.Go:
                    Record(task, node, step, reason ?? "go", outcome.Exit, null);
                    if (node.Next(outcome.Exit!) is not { } next)
                    {
                        await End(task, "error", "exit_not_connected", $"node '{node.Id}' left by its '{outcome.Exit}' exit, which leads nowhere");
                        return false;
                    }
                    if (!await MoveTo(task, process, next)) return false;
                    break;

                case OutcomeKind.Fail:
                    WriteError(step, node, outcome.Error!);
                    Record(task, node, step, reason ?? "fail", Exits.Error, outcome.Error!.Tag);
                    if (node.Next(Exits.Error) is not { } errorTarget)
                    {
                        await Finish(task, "error");
                        return false;
                    }
                    if (!await MoveTo(task, process, errorTarget)) return false;
                    break;

                case OutcomeKind.Wait:
                    Record(task, node, step, reason ?? "wait", null, null);
                    task.Status = TaskStatus.Waiting;
                    task.Wait = outcome.Wait;
                    // The limit counts from when the task entered, not from a modify that left it waiting.
                    if (reason is null && TimeLimitOf(node, step) is { } due && outcome.Wait is { } wait && !(wait.TimeoutAt <= due))
                        task.Wait = wait with { TimeoutAt = due };
                    await Commit(task);
                    return false;

                case OutcomeKind.Finish:
                    Record(task, node, step, "finish", null, null);
                    await Finish(task, outcome.Result ?? "success");
                    return false;
            }

            if (++steps >= options.StepsPerRun)
            {
                // Yield: commit what was done and let other tasks run before continuing.
                await Commit(task);
                _ = SubmitHeld(task);
                return true;
            }
        }
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
            log.LogWarning("Time limit of node {Node} in process {ConvId} gives no time for task {Task}: {Reason}", node.Id, step.Task.ConvId, step.Task.ObjId, e.Message);
            return null;
        }
    }

    /// <summary>Enters the next node, unless the loop guard stops the task there.</summary>
    async ValueTask<bool> MoveTo(TaskState task, CompiledProcess process, string next)
    {
        var visits = task.Visits.GetValueOrDefault(next) + 1;
        var left = counters.Leave(task.ConvId, task.NodeId);
        var entered = counters.Enter(task.ConvId, next);
        if (process.Node(task.NodeId)?.Definition.CountLimit is { } fromLimit && left == fromLimit.Max)
            Escalate(process, task.NodeId, fromLimit, left, "back");
        if (process.Node(next)?.Definition.CountLimit is { } toLimit && entered == toLimit.Max + 1)
            Escalate(process, next, toLimit, entered, "over");
        task.NodeId = next;
        task.Visits[next] = visits;
        if (visits <= process.LoopLimit) return true;
        await End(task, "error", "loop_limit", $"the task entered node '{next}' more than {process.LoopLimit} times");
        return false;
    }

    /// <summary>
    /// Corezoid's count semaphor: a task to the chosen process when a node holds more than its limit,
    /// and another when it drops back. Sent without waiting; a failure is logged, not the task's.
    /// </summary>
    void Escalate(CompiledProcess process, string nodeId, CountLimitDefinition limit, long count, string state)
    {
        var target = limit.ConvId.Trim();
        var convId = target.StartsWith('@') ? processes.FindByAlias(target[1..])?.ConvId
            : long.TryParse(target, out var id) ? id : processes.FindByAlias(target)?.ConvId;
        var data = new JsonObject
        {
            ["conv_id"] = process.ConvId,
            ["node_id"] = nodeId,
            ["node_title"] = process.Node(nodeId)?.Definition.Title,
            ["count"] = count,
            ["max"] = limit.Max,
            ["state"] = state,
        };
        _ = Task.Run(async () =>
        {
            var created = convId is null
                ? CreateOutcome.Refused($"no process is named '{target}'")
                : await services.CreateTaskAsync(convId.Value, null, data, replyTo: null, depth: 1, CancellationToken.None);
            if (!created.Ok) log.LogWarning("Count limit of node {Node} in process {ConvId}: escalation not sent: {Reason}", nodeId, process.ConvId, created.Description);
        });
    }

    /// <summary>Stops the task where it is, as an error the runner found (not a node's own error exit).</summary>
    async Task End(TaskState task, string result, string tag, string description)
    {
        task.Data["__conveyor_task_return_type_error__"] = "software";
        task.Data["__conveyor_task_return_type_tag__"] = tag;
        task.Data["__conveyor_task_return_description__"] = description;
        task.Pending.Add(new StepRecord(task.NodeId, services.Clock.UtcNow.ToUnixTimeMilliseconds(), "stop", null, null, null, $"{tag}: {description}"));
        await Finish(task, result);
    }

    async Task Finish(TaskState task, string result)
    {
        task.Status = TaskStatus.Finished;
        task.Result = result;
        task.Wait = null;
        await Commit(task);
        metrics.Finished(task.ConvId, result);
        if (task.Ref is not null) refs.Release(task.ConvId, task.Ref, task.Id);
        if (!_endWatchers.IsEmpty && _endWatchers.TryRemove(task.Id, out var watcher)) watcher.TrySetResult(task);
    }

    /// <summary>Completes when the task ends; register before submitting it.</summary>
    internal Task<TaskState> WatchEnd(long taskId) =>
        _endWatchers.GetOrAdd(taskId, _ => new TaskCompletionSource<TaskState>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    internal void Unwatch(long taskId) => _endWatchers.TryRemove(taskId, out _);

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

    async Task Commit(TaskState task)
    {
        await Outside(async () => { await writer.Save(task); return true; });
        if (!task.Stored)
        {
            task.Stored = true;
            task.FirstCommit?.TrySetResult();
        }
    }

    void Record(TaskState task, CompiledNode node, StepContext step, string outcome, string? exit, string? error)
    {
        var (set, unset) = step.Changes();
        task.Pending.Add(new StepRecord(node.Id, step.Now.ToUnixTimeMilliseconds(), outcome, exit, set, unset, error));
    }

    static void WriteError(StepContext step, CompiledNode node, NodeError error)
    {
        var kind = node.Type.Description.ErrorKind ?? node.Type.Name;
        step.Set($"__conveyor_{kind}_return_type_error__", error.Type);
        step.Set($"__conveyor_{kind}_return_type_tag__", error.Tag);
        step.Set($"__conveyor_{kind}_return_description__", error.Description);
    }
}
