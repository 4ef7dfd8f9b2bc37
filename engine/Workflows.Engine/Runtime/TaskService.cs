using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Definitions;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>Creating tasks and reading them back: where each task is, the path it took and its data.</summary>
public sealed class TaskService(
    ProcessRegistry processes, TaskIntake intake, TaskRunner runner, TaskQueue queue, EndWatchers watchers, TaskWriter writer,
    ActiveRefs refs, NodeCounters counters, NodeMembership node, IDbContextFactory<WorkflowsDb> dbs, IClock clock)
{
    /// <summary>Creates a task at the process's start node; answers once the task is committed.</summary>
    public Task<CreateOutcome> CreateAsync(long convId, string? reference, JsonObject? data, CancellationToken cancel = default) =>
        Create(convId, reference, data, null, cancel);

    /// <summary>
    /// Creates a test task: counted nowhere, its API-call and connector nodes answered from the run's
    /// pinned answers; in a debug run it stops before its first node (answered once stopped there).
    /// </summary>
    public Task<CreateOutcome> CreateTestAsync(long convId, string? reference, JsonObject? data, TestRuns.TestRun test, CancellationToken cancel = default) =>
        Create(convId, reference, data, test, cancel);

    async Task<CreateOutcome> Create(long convId, string? reference, JsonObject? data, TestRuns.TestRun? test, CancellationToken cancel)
    {
        var (task, refused) = intake.Prepare(convId, reference, data, replyTo: null, depth: 0, test);
        if (task is null) return refused!;
        if (await intake.HeldElsewhere(task) is { } held) return held;
        try
        {
            // Instant steps run before the first commit: one write holds the task and its first steps.
            await runner.SubmitNew(task).WaitAsync(cancel);
            intake.Stored(task);
            return new CreateOutcome(true, "ok", null, task);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return CallerLeft();
        }
        catch (Exception e) when (!task.Stored)
        {
            intake.Forget(task);
            return await intake.NotStored(task, e);
        }
    }

    /// <summary>
    /// Creates a task and waits (up to <paramref name="wait"/>) for it to end, for callers that want the
    /// result in the same request. The outcome's task is the ended task, or the created one if it is still going.
    /// </summary>
    public async Task<(CreateOutcome Outcome, bool Ended)> CreateAndWaitAsync(long convId, string? reference, JsonObject? data, TimeSpan wait, CancellationToken cancel = default)
    {
        var (task, refused) = intake.Prepare(convId, reference, data, replyTo: null, depth: 0);
        if (task is null) return (refused!, false);
        if (await intake.HeldElsewhere(task) is { } held) return (held, false);
        var ended = watchers.Watch(task.Id);
        try
        {
            await runner.SubmitNew(task).WaitAsync(cancel);
            intake.Stored(task);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            watchers.Unwatch(task.Id);
            return (CallerLeft(), false);
        }
        catch (Exception e) when (!task.Stored)
        {
            watchers.Unwatch(task.Id);
            intake.Forget(task);
            return (await intake.NotStored(task, e), false);
        }
        try
        {
            var done = await ended.WaitAsync(wait, cancel);
            return (new CreateOutcome(true, "ok", null, done), true);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && cancel.IsCancellationRequested))
        {
            watchers.Unwatch(task.Id);
            return (new CreateOutcome(true, "ok", null, task), false);
        }
    }

    /// <summary>
    /// The caller stopped waiting (say, the client closed the connection) before the first commit.
    /// The runner holds the task and stores and runs it all the same, so nothing is forgotten here:
    /// freeing its ref or its place in the counters would leave them wrong while the task lives on.
    /// </summary>
    static CreateOutcome CallerLeft() =>
        CreateOutcome.Refused("the request was cancelled before the task was acknowledged; the task is still stored and run unless storing it fails", "cancelled");

    /// <summary>
    /// Sends a task that ended in an error back to the node that failed, to run it again (say, after
    /// the CRM it called is back). The error fields that node wrote are removed; the loop guard starts over.
    /// </summary>
    public async Task<WakeResult> RetryAsync(long taskId, CancellationToken cancel = default)
    {
        if (!queue.TryHold(taskId)) return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} is running; only an ended task can be retried");
        var sent = false;
        try
        {
            if (await GetAsync(taskId, cancel) is not { } found)
                return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} does not exist", "obj_id_not_found");
            var (row, history) = found;
            if (row.Status != TaskPhases.Finished || row.Result != "error")
                return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} did not end in an error (status {row.Status}, result {row.Result ?? "none"})");
            var failed = history.LastOrDefault(s => (string?)s["outcome"] is "fail" or "stop");
            if (failed?["node_id"]?.GetValue<string>() is not { } nodeId)
                return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} ended in an error final node without a failed step to go back to");
            var task = FromRow(row);
            if (task.Ref is not null && !node.Shared && !refs.TryClaim(task.ConvId, task.Ref, task.Id, out var holder))
                return WakeResult.Refused(taskId, $"ref '{task.Ref}' is now used by active task {TaskIds.Format(holder)}");
            ConveyorFields.Clear(task.Data);
            if (task.Test is null)
            {
                counters.Leave(task.ConvId, task.NodeId);
                counters.Enter(task.ConvId, nodeId);
            }
            task.Pending.Add(new StepRecord(nodeId, clock.UtcNow.ToUnixTimeMilliseconds(), "retry", null, null, null, null));
            task.NodeId = nodeId;
            task.Status = TaskPhase.Processing;
            task.Result = null;
            task.Visits = [];
            task.ChangedAt = clock.UtcNow;
            await writer.Save(task).WaitAsync(cancel);
            _ = queue.SubmitHeld(task);
            sent = true;
            return new WakeResult(true, "ok", null, taskId);
        }
        finally
        {
            if (!sent) queue.Release(taskId);
        }
    }

    /// <summary>
    /// Deletes a task with its history (Corezoid's delete op): it leaves its node's count and frees
    /// its ref. A task in the middle of a step is refused; a waiting one is taken out of its wait.
    /// </summary>
    public async Task<WakeResult> DeleteAsync(long taskId, long? expectedConvId = null, CancellationToken cancel = default)
    {
        if (!queue.TryHold(taskId)) return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} is busy in a step; try again");
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancel);
            var row = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == taskId, cancel);
            if (row is null || (expectedConvId is not null && row.ConvId != expectedConvId))
                return WakeResult.Refused(taskId, $"task {TaskIds.Format(taskId)} does not exist", "obj_id_not_found");
            await using (var tx = await db.Database.BeginTransactionAsync(cancel))
            {
                await db.TaskHistory.Where(h => h.TaskId == taskId).ExecuteDeleteAsync(cancel);
                await db.Tasks.Where(t => t.Id == taskId).ExecuteDeleteAsync(cancel);
                await tx.CommitAsync(cancel);
            }
            if (row.Test is null) counters.Remove(row.ConvId, row.NodeId);
            if (row.Ref is not null && row.Status != TaskPhases.Finished) refs.Release(row.ConvId, row.Ref, row.Id);
            return new WakeResult(true, "ok", null, taskId);
        }
        finally { queue.Release(taskId); }
    }

    /// <summary>Retries every task that ended in an error after failing in the given node.</summary>
    public async Task<(int Retried, List<string> Refused)> RetryNodeAsync(long convId, string nodeId, CancellationToken cancel = default)
    {
        processes.Get(convId);
        List<long> ids;
        await using (var db = await dbs.CreateDbContextAsync(cancel))
            ids = await db.Tasks.AsNoTracking().Where(t => t.ConvId == convId && t.Status == TaskPhases.Finished && t.Result == "error")
                .Select(t => t.Id).ToListAsync(cancel);
        var retried = 0;
        var refused = new List<string>();
        foreach (var id in ids)
        {
            if (await GetAsync(id, cancel) is not { } found) continue;
            var failed = found.History.LastOrDefault(s => (string?)s["outcome"] is "fail" or "stop");
            if ((string?)failed?["node_id"] != nodeId) continue;
            var result = await RetryAsync(id, cancel);
            if (result.Ok) retried++;
            else refused.Add(result.Description!);
        }
        return (retried, refused);
    }

    /// <summary>The id of the active task with this ref, if any (from the store when other nodes share it).</summary>
    public ValueTask<long?> ActiveByRefAsync(long convId, string reference, CancellationToken cancel = default) =>
        intake.ActiveByRefAsync(convId, reference, cancel);

    /// <summary>The newest tasks of a process, filtered by node, status (processing, waiting, finished), result (success, error) and ref.</summary>
    public async Task<List<TaskRow>> ListAsync(long convId, string? nodeId, string? status, string? reference, int limit, string? result = null, CancellationToken cancel = default)
    {
        processes.Get(convId);
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var query = db.Tasks.AsNoTracking().Where(t => t.ConvId == convId);
        if (!string.IsNullOrEmpty(nodeId)) query = query.Where(t => t.NodeId == nodeId);
        if (!string.IsNullOrEmpty(status)) query = query.Where(t => t.Status == status);
        if (!string.IsNullOrEmpty(reference)) query = query.Where(t => t.Ref == reference);
        if (!string.IsNullOrEmpty(result)) query = query.Where(t => t.Result == result);
        return await query.OrderByDescending(t => t.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(cancel);
    }

    public async Task<(TaskRow Task, List<JsonObject> History)?> GetAsync(long id, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancel);
        if (task is null) return null;
        var rows = await db.TaskHistory.AsNoTracking().Where(h => h.TaskId == id).OrderBy(h => h.Id).Select(h => h.Steps).ToListAsync(cancel);
        var history = rows.SelectMany(r => JsonNode.Parse(r) as JsonArray ?? []).OfType<JsonObject>().ToList();
        return (task, history);
    }

    internal static TaskState FromRow(TaskRow row) => new()
    {
        Id = row.Id, ConvId = row.ConvId, Version = row.Version, Ref = row.Ref, NodeId = row.NodeId,
        Status = TaskPhases.Parse(row.Status), Result = row.Result,
        Data = JsonNode.Parse(row.Data) as JsonObject ?? [],
        Visits = row.Visits is null ? [] : JsonSerializer.Deserialize<Dictionary<string, int>>(row.Visits) ?? [],
        ReplyTo = row.ReplyTo,
        Depth = row.Depth,
        Wait = row.WaitKind is null ? null : new Nodes.WaitSpec(row.WaitKind,
            row.WaitKind == Nodes.WaitSpec.Time && row.WakeAt is { } w ? DateTimeOffset.FromUnixTimeMilliseconds(w) : null,
            row.WaitKey,
            row.TimeoutAt is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        ChangedAt = DateTimeOffset.FromUnixTimeMilliseconds(row.ChangedAt),
        Test = TestRuns.TestRun.FromJson(row.Test),
        Stored = true,
    };
}
