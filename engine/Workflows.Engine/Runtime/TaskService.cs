using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>The answer to one create: ok with the task, or a clear reason (proc is Corezoid's word for it).</summary>
public sealed record CreateOutcome(bool Ok, string Proc, string? Description, TaskState? Task)
{
    public static CreateOutcome Refused(string description, string proc = "error") => new(false, proc, description, null);
}

/// <summary>Creating tasks and reading them back: where each task is, the path it took and its data.</summary>
public sealed class TaskService(
    ProcessRegistry processes, TaskRunner runner, TaskWriter writer, ActiveRefs refs, NodeCounters counters, IdGenerator ids,
    IDbContextFactory<WorkflowsDb> dbs, IClock clock, EngineOptions options)
{
    /// <summary>Creates a task at the process's start node; answers once the task is committed.</summary>
    public async Task<CreateOutcome> CreateAsync(long convId, string? reference, JsonObject? data, CancellationToken cancel = default)
    {
        var (task, refused) = Prepare(convId, reference, data, replyTo: null, depth: 0);
        if (task is null) return refused!;
        try
        {
            // Instant steps run before the first commit: one write holds the task and its first steps.
            await runner.Submit(task).WaitAsync(cancel);
            return new CreateOutcome(true, "ok", null, task);
        }
        catch (Exception e) when (!task.Stored)
        {
            Forget(task);
            return CreateOutcome.Refused(e is EngineException ? e.Message : $"the task could not be stored: {e.Message}");
        }
    }

    /// <summary>
    /// Creates a task and waits (up to <paramref name="wait"/>) for it to end, for callers that want the
    /// result in the same request. The outcome's task is the ended task, or the created one if it is still going.
    /// </summary>
    public async Task<(CreateOutcome Outcome, bool Ended)> CreateAndWaitAsync(long convId, string? reference, JsonObject? data, TimeSpan wait, CancellationToken cancel = default)
    {
        var (task, refused) = Prepare(convId, reference, data, replyTo: null, depth: 0);
        if (task is null) return (refused!, false);
        var ended = runner.WatchEnd(task.Id);
        try
        {
            await runner.Submit(task).WaitAsync(cancel);
        }
        catch (Exception e) when (!task.Stored)
        {
            runner.Unwatch(task.Id);
            Forget(task);
            return (CreateOutcome.Refused(e is EngineException ? e.Message : $"the task could not be stored: {e.Message}"), false);
        }
        try
        {
            var done = await ended.WaitAsync(wait, cancel);
            return (new CreateOutcome(true, "ok", null, done), true);
        }
        catch (TimeoutException)
        {
            runner.Unwatch(task.Id);
            return (new CreateOutcome(true, "ok", null, task), false);
        }
    }

    /// <summary>
    /// Creates a task on behalf of another task (copy task, call process): stored first, then run,
    /// so a runner never waits for another runner.
    /// </summary>
    public async Task<CreateOutcome> CreateFromTaskAsync(long convId, string? reference, JsonObject data, long? replyTo, int depth, CancellationToken cancel = default)
    {
        if (depth > options.MaxCallDepth)
            return CreateOutcome.Refused($"copy and call process nest deeper than {options.MaxCallDepth} levels; stopped to prevent runaway recursion", "call_depth");
        var (task, refused) = Prepare(convId, reference, data, replyTo, depth);
        if (task is null) return refused!;
        try
        {
            await writer.Save(task).WaitAsync(cancel);
            task.Stored = true;
        }
        catch (Exception e)
        {
            Forget(task);
            return CreateOutcome.Refused($"the task could not be stored: {e.Message}");
        }
        _ = runner.Submit(task);
        return new CreateOutcome(true, "ok", null, task);
    }

    (TaskState? Task, CreateOutcome? Refused) Prepare(long convId, string? reference, JsonObject? data, long? replyTo, int depth)
    {
        if (processes.Find(convId) is not { } process) return (null, CreateOutcome.Refused($"process {convId} does not exist", "process_not_found"));
        if (process.Paused) return (null, CreateOutcome.Refused($"process {convId} is paused and accepts no new tasks", "process_paused"));
        if (reference is not null && (reference.Length == 0 || reference.Length > options.MaxRefLength))
            return (null, CreateOutcome.Refused($"ref must be 1 to {options.MaxRefLength} characters long", "bad_ref"));
        data ??= [];
        var size = TaskJson.Size(data);
        if (size > process.Latest.TaskSizeLimit)
            return (null, CreateOutcome.Refused($"task data is {size} bytes, over the limit of {process.Latest.TaskSizeLimit}", "task_size_limit"));

        var now = clock.UtcNow;
        var start = process.Latest.Start.Id;
        var task = new TaskState
        {
            Id = ids.Next(), ConvId = convId, Version = process.Latest.Version, Ref = reference,
            Data = data, NodeId = start, CreatedAt = now, ChangedAt = now, ReplyTo = replyTo, Depth = depth,
        };
        task.Visits[start] = 1;
        if (reference is not null && !refs.TryClaim(convId, reference, task.Id, out var holder))
            return (null, CreateOutcome.Refused($"ref '{reference}' is already used by active task {TaskIds.Format(holder)} of process {convId}; the task was not added", "ref_exists"));
        counters.Enter(convId, start);
        return (task, null);
    }

    void Forget(TaskState task)
    {
        if (task.Ref is not null) refs.Release(task.ConvId, task.Ref, task.Id);
        counters.Remove(task.ConvId, task.NodeId);
    }

    /// <summary>The id of the active task with this ref, if any.</summary>
    public long? ActiveByRef(long convId, string reference) => refs.Holder(convId, reference);

    public async Task<List<TaskRow>> ListAsync(long convId, string? nodeId, string? status, string? reference, int limit, CancellationToken cancel = default)
    {
        processes.Get(convId);
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var query = db.Tasks.AsNoTracking().Where(t => t.ConvId == convId);
        if (!string.IsNullOrEmpty(nodeId)) query = query.Where(t => t.NodeId == nodeId);
        if (!string.IsNullOrEmpty(status)) query = query.Where(t => t.Status == status);
        if (!string.IsNullOrEmpty(reference)) query = query.Where(t => t.Ref == reference);
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

    public async Task<TaskRow?> FindByRefAsync(long convId, string reference, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        return await db.Tasks.AsNoTracking().Where(t => t.ConvId == convId && t.Ref == reference).OrderByDescending(t => t.Id).FirstOrDefaultAsync(cancel);
    }

    /// <summary>Tasks in each node now and totals entered/left, for every node of the latest version.</summary>
    public Dictionary<string, (long Now, long Entered, long Left)> Counters(long convId)
    {
        var process = processes.Get(convId);
        var live = counters.ForProcess(convId);
        var result = new Dictionary<string, (long, long, long)>();
        foreach (var node in process.Latest.Definition.Nodes) result[node.Id] = (0, 0, 0);
        foreach (var (node, c) in live) result[node] = (c.InNode, c.TotalEntered, c.TotalLeft);
        return result;
    }

    internal static TaskState FromRow(TaskRow row) => new()
    {
        Id = row.Id, ConvId = row.ConvId, Version = row.Version, Ref = row.Ref, NodeId = row.NodeId,
        Status = row.Status, Result = row.Result,
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
        Stored = true,
    };
}
