using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Nodes;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Ends waits. Every wake source (timer, callback, reply) holds the task first (<see cref="TaskQueue"/>), then
/// reads its committed row, so two wakes can never move one task twice. A task that is still being
/// run (say, it is committing the wait a fast callback is answering) is retried for a short while.
/// </summary>
public sealed class TaskWaker(TaskQueue queue, PausedTasks paused, NodeMembership node, IDbContextFactory<WorkflowsDb> dbs, ProcessRegistry processes)
{
    /// <summary>
    /// Merges data into a task waiting for a callback and lets it continue by its next exit.
    /// <paramref name="fromTestTask"/>: sent by a task's step (copy task, modify), a test task or not; a
    /// test task changes only test tasks, and an ordinary task no test task. Null: from outside (API, vendor).
    /// </summary>
    public Task<WakeResult> CallbackAsync(long taskId, JsonObject? data, string? expectedNode = null, long? expectedConvId = null, bool? fromTestTask = null, CancellationToken cancel = default) =>
        WakeAsync(taskId, task =>
        {
            // A process's hash opens only its own tasks: a task of another process reads as not found.
            if (expectedConvId is not null && task.ConvId != expectedConvId)
                return new WakeDecision.Refuse($"process {expectedConvId} has no task {task.ObjId}", "obj_id_not_found");
            if (fromTestTask is { } fromTest && fromTest != (task.Test is not null))
                return new WakeDecision.Refuse(fromTest
                    ? $"task {task.ObjId} is not a test task, and a test task changes only test tasks"
                    : $"task {task.ObjId} is a test task, which only test tasks and people change", TestRuns.TestRun.Apart);
            if (task.Status != TaskPhase.Waiting || task.Wait?.Kind != WaitSpec.Callback)
                return new WakeDecision.Refuse($"task {task.ObjId} is not waiting for a callback: it is in node '{task.NodeId}' with status {task.Status.Wire()}");
            if (expectedNode is not null && task.NodeId != expectedNode)
                return new WakeDecision.Refuse($"task {task.ObjId} is waiting in node '{task.NodeId}', not in '{expectedNode}'");
            var prepared = processes.Find(task.ConvId)?.Latest.Node(task.NodeId)?.Prepared;
            // Corezoid's non-sync callback node: the data is merged in and the task keeps waiting.
            if (prepared is WaitCallbackNode.Prepared { IsSync: false })
                return new WakeDecision.Resume(new Wake("modify", NodeOutcome.WaitFor(task.Wait!), data));
            // A state (set_state): the data is merged in and the node's rules decide whether the task moves.
            if (prepared is SetStateNode.Prepared)
                return new WakeDecision.Resume(new Wake("modify", NodeOutcome.WaitFor(task.Wait!), data) { Rerun = true });
            return new WakeDecision.Resume(new Wake("callback", NodeOutcome.Go(), data));
        }, TimeSpan.FromSeconds(5), cancel);

    /// <summary>
    /// Delivers a callback to the task of this process that waits in <paramref name="nodeId"/> with the
    /// wait key <paramref name="key"/> (a wait_callback node's <c>key</c>): how vendors that know only
    /// their own id (a PBX call id) reach the task.
    /// </summary>
    public async Task<WakeResult> CallbackByKeyAsync(long convId, string nodeId, string key, JsonObject? data, CancellationToken cancel = default)
    {
        // The vendor may answer before the wait is committed (a fast PBX): look again for a short while.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        long? taskId;
        while (true)
        {
            await using (var db = await dbs.CreateDbContextAsync(cancel))
                taskId = await db.Tasks.AsNoTracking()
                    .Where(t => t.ConvId == convId && t.NodeId == nodeId && t.Status == TaskPhases.Waiting && t.WaitKind == WaitSpec.Callback && t.WaitKey == key)
                    .Select(t => (long?)t.Id).FirstOrDefaultAsync(cancel);
            if (taskId is not null || DateTime.UtcNow > until) break;
            await Task.Delay(50, cancel);
        }
        if (taskId is null) return WakeResult.Refused(0, $"no task of process {convId} waits in node '{nodeId}' for '{key}'", "obj_id_not_found");
        return await CallbackAsync(taskId.Value, data, expectedNode: nodeId, expectedConvId: convId, cancel: cancel);
    }

    /// <summary>Delivers a callee's reply to the task that called it (call process).</summary>
    internal Task<WakeResult> ReplyAsync(long callerId, string calleeObjId, JsonObject data, NodeError? exception, CancellationToken cancel = default) =>
        WakeAsync(callerId, task =>
        {
            if (task.Status != TaskPhase.Waiting || task.Wait?.Kind != WaitSpec.Reply || task.Wait.Key != calleeObjId)
                return new WakeDecision.Refuse($"the calling task {task.ObjId} no longer waits for this reply (it is in node '{task.NodeId}' with status {task.Status.Wire()})");
            return new WakeDecision.Resume(new Wake("reply", exception is null ? NodeOutcome.Go() : NodeOutcome.Fail(exception), data));
        }, TimeSpan.FromSeconds(10), cancel);

    /// <summary>
    /// Lets a test task stopped before a node in a debug run go on: it runs that node and stops before
    /// the next one (<paramref name="step"/>), or runs on to the next breakpoint. Breakpoints given
    /// replace the run's own.
    /// </summary>
    public Task<WakeResult> DebugAsync(long taskId, bool step, IReadOnlyList<string>? breakpoints, long? expectedConvId = null, CancellationToken cancel = default) =>
        WakeAsync(taskId, task =>
        {
            if (expectedConvId is not null && task.ConvId != expectedConvId)
                return new WakeDecision.Refuse($"process {expectedConvId} has no task {task.ObjId}", "obj_id_not_found");
            if (task.Test is not { } test)
                return new WakeDecision.Refuse($"task {task.ObjId} is not a test task; only test tasks run step by step");
            if (task.Status != TaskPhase.Waiting || task.Wait?.Kind != WaitSpec.Debug)
                return new WakeDecision.Refuse(task.Status == TaskPhase.Finished
                    ? $"test task {task.ObjId} has ended ({task.Result}); there is nothing left to step through"
                    : $"test task {task.ObjId} is not stopped for debugging: it is in node '{task.NodeId}' with status {task.Status.Wire()}{(task.Wait is { } w ? $" (waiting for {w.Kind})" : "")}");
            task.Test = test with { Stepping = step, Breakpoints = breakpoints ?? test.Breakpoints };
            return new WakeDecision.Resume(new Wake(step ? "step" : "continue", NodeOutcome.Go()) { Enter = true });
        }, TimeSpan.FromSeconds(5), cancel);

    /// <summary>
    /// Reads the rows of timers that fall due soon, each task held softly first (<see cref="TaskQueue.TryHoldAhead"/>)
    /// so the row read stays current until another holder takes the task over, which <see cref="FireAhead"/>
    /// notices. Answers the tasks read and the ids another holder has now (to try again later).
    /// </summary>
    internal async Task<(List<TaskState> Read, List<long> Busy)> ReadAheadAsync(IReadOnlyList<long> ids, CancellationToken cancel)
    {
        var held = new List<long>(ids.Count);
        var busy = new List<long>();
        foreach (var id in ids)
            if (queue.TryHoldAhead(id, out var mine)) held.Add(id);
            else if (!mine) busy.Add(id);
        var read = new List<TaskState>(held.Count);
        if (held.Count == 0) return (read, busy);
        List<TaskRow> rows;
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancel);
            var me = node.NodeId;
            // The ids as one parameter (a JSON array on SQLite, an array on PostgreSQL): a thousand bound
            // parameters made each batch's statement new to the database and binding them cost more than the read.
            rows = await db.Tasks.AsNoTracking().Where(t => EF.Parameter(held).Contains(t.Id) && t.Owner == me).ToListAsync(cancel);
        }
        catch
        {
            foreach (var id in held) queue.DropAhead(id);
            throw;
        }
        var found = new HashSet<long>(rows.Count);
        foreach (var row in rows)
        {
            var task = TaskService.FromRow(row);
            // Moved on before the soft hold (its run ended as this read began): nothing to fire.
            if (task.Status != TaskPhase.Waiting || task.Wait?.DueAt is null) continue;
            found.Add(task.Id);
            read.Add(task);
        }
        foreach (var id in held.Where(id => !found.Contains(id))) queue.DropAhead(id);
        return (read, busy);
    }

    /// <summary>Wakes a task read ahead whose time came (a delay that is over, or a time limit reached).</summary>
    internal AheadFire FireAhead(TaskState task, DateTimeOffset now)
    {
        // Timers of paused processes stay due until the process is resumed.
        if (processes.Find(task.ConvId) is { Paused: true })
        {
            queue.DropAhead(task.Id);
            return AheadFire.Paused;
        }
        if (!queue.TryFireAhead(task.Id)) return AheadFire.TakenOver;
        if (DueWake(task, now) is not { } wake)
        {
            queue.Release(task.Id);
            return AheadFire.NotDue;
        }
        task.Resume = wake;
        _ = queue.SubmitHeld(task);
        return AheadFire.Fired;
    }

    static Wake? DueWake(TaskState task, DateTimeOffset now)
    {
        if (task.Status != TaskPhase.Waiting || task.Wait is not { } wait) return null;
        // The time limit first: a delay's stored wake time is the earlier of its end and its limit.
        if (wait.TimeoutAt <= now) return new Wake("time_limit", NodeOutcome.Go(Exits.Timeout));
        if (wait.Kind == WaitSpec.Time && wait.WakeAt <= now) return new Wake("timer", NodeOutcome.Go());
        return null;
    }

    async Task<WakeResult> WakeAsync(long taskId, Func<TaskState, WakeDecision> decide, TimeSpan waitIfBusy, CancellationToken cancel)
    {
        var until = DateTime.UtcNow + waitIfBusy;
        while (true)
        {
            while (!queue.TryHold(taskId))
            {
                if (paused.IsParked(taskId))
                    return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} belongs to a paused process; resume the process first");
                if (DateTime.UtcNow > until)
                    return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} is busy in a step and did not reach a waiting node in time");
                await Task.Delay(10, cancel);
            }
            var taken = false;
            try
            {
                TaskRow? row;
                await using (var db = await dbs.CreateDbContextAsync(cancel))
                    row = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == taskId, cancel);
                if (row is null)
                    return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} does not exist", "obj_id_not_found");
                var task = TaskService.FromRow(row);
                // A broken process keeps its tasks where they are until it is saved again.
                var decision = processes.Find(task.ConvId) is { Broken: { } why }
                    ? new WakeDecision.Refuse($"process {task.ConvId} is broken, so task {task.ObjId} stays where it is until the process is saved again: {why}", "process_broken")
                    : decide(task);
                if (decision is WakeDecision.Refuse refusal)
                    return WakeResult.Refused(taskId, refusal.Description, refusal.Proc);
                // A wake that arrived at a node other than the task's owner moves the task here, if the
                // task is still as read; if its owner moved it meanwhile, read it again.
                if (await node.TakeWaitingAsync(row.Id, row.Owner, row.NodeId, row.ChangedAt, cancel))
                {
                    task.Resume = ((WakeDecision.Resume)decision).Wake;
                    _ = queue.SubmitHeld(task);
                    taken = true;
                    return new WakeResult(true, "ok", null, taskId);
                }
            }
            finally
            {
                if (!taken) queue.Release(taskId);
            }
            if (DateTime.UtcNow > until)
                return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} is busy on another node and did not reach a waiting node in time");
            await Task.Delay(10, cancel);
        }
    }
}

/// <summary>What became of a timer read ahead when its time came.</summary>
internal enum AheadFire
{
    Fired,
    /// <summary>Another holder (a callback, a delete) took the task over: its row may have changed, so it is read again.</summary>
    TakenOver,
    /// <summary>Its process is paused: the timer fires once the process is resumed.</summary>
    Paused,
    NotDue,
}
