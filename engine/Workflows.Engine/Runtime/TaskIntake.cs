using Microsoft.EntityFrameworkCore;
using System.Text.Json.Nodes;

namespace Workflows.Engine.Runtime;

/// <summary>The answer to one create: ok with the task, or a clear reason (proc is Corezoid's word for it).</summary>
public sealed record CreateOutcome(bool Ok, string Proc, string? Description, TaskState? Task)
{
    public static CreateOutcome Refused(string description, string proc = "error") => new(false, proc, description, null);
}

/// <summary>
/// Where a new task begins: the process must exist and be active, the ref be free, the data within
/// the size limit; the task then stands in the start node. Also creates tasks on behalf of other
/// tasks (copy, call, count-limit escalations): stored first, then queued, so no runner waits for another.
/// </summary>
public sealed class TaskIntake(
    ProcessRegistry processes, TaskQueue queue, Store.TaskWriter writer, ActiveRefs refs, NodeCounters counters, IdGenerator ids,
    Store.NodeMembership node, IDbContextFactory<Store.WorkflowsDb> dbs, IClock clock, EngineMetrics metrics, EngineOptions options)
{
    /// <summary>A new task in the start node, its ref claimed and counted (a test task is not counted); or why not.</summary>
    internal (TaskState? Task, CreateOutcome? Refused) Prepare(long convId, string? reference, JsonObject? data, long? replyTo, int depth, TestRuns.TestRun? test = null)
    {
        if (processes.Find(convId) is not { } process) return (null, CreateOutcome.Refused($"process {convId} does not exist", "process_not_found"));
        if (process.Broken is { } why)
            return (null, CreateOutcome.Refused($"process {convId} is broken and accepts no new tasks until it is saved again: {why}", "process_broken"));
        if (process.Paused) return (null, CreateOutcome.Refused($"process {convId} is paused and accepts no new tasks", "process_paused"));
        if (reference is not null && (reference.Length == 0 || reference.Length > options.MaxRefLength))
            return (null, CreateOutcome.Refused($"ref must be 1 to {options.MaxRefLength} characters long", "bad_ref"));
        data ??= [];
        if (reference is null && Definitions.ProcessKinds.IsState(process.Latest.Definition))
            return (null, CreateOutcome.Refused($"process {convId} is a state diagram: its tasks are kept by ref, so a new task needs one", "ref_required"));
        if (Definitions.ProcessParameter.FirstMissing(process.Latest.Definition.Params, data) is { } missing)
            return (null, CreateOutcome.Refused($"data lacks the required parameter '{missing.Name}' ({missing.Type}{(missing.Description is { Length: > 0 } d ? $": {d}" : "")})", "missing_parameter"));
        var size = TaskJson.Size(data);
        if (size > process.Latest.TaskSizeLimit)
            return (null, CreateOutcome.Refused($"task data is {size} bytes, over the limit of {process.Latest.TaskSizeLimit}", "task_size_limit"));

        var now = clock.UtcNow;
        var start = process.Latest.Start!.Id;
        var task = new TaskState
        {
            Id = ids.Next(), ConvId = convId, Version = process.Latest.Version, Ref = reference,
            Data = data, NodeId = start, CreatedAt = now, ChangedAt = now, ReplyTo = replyTo, Depth = depth, Test = test,
        };
        task.Visits[start] = 1;
        // Claimed before any await, so of two creates with one ref in one request the first wins. With
        // several nodes the claim lasts only until the task is stored (see Stored): from then on the
        // store's unique index decides (RefTakenException), and HeldElsewhere asks the store.
        if (reference is not null && !refs.TryClaim(convId, reference, task.Id, out var holder))
            return (null, RefRefused(convId, reference, holder));
        if (test is null)
        {
            counters.Enter(convId, start);
            metrics.Created(convId);
        }
        return (task, null);
    }

    /// <summary>Undoes <see cref="Prepare"/> for a task that was never stored.</summary>
    internal void Forget(TaskState task)
    {
        if (task.Ref is not null) refs.Release(task.ConvId, task.Ref, task.Id);
        if (task.Test is null) counters.Remove(task.ConvId, task.NodeId);
    }

    /// <summary>
    /// Creates a task on behalf of another task (copy task, call process): stored first, then run,
    /// so a runner never waits for another runner. <paramref name="test"/>: the run of a test task's copy.
    /// </summary>
    public async Task<CreateOutcome> CreateFromTaskAsync(long convId, string? reference, JsonObject data, long? replyTo, int depth, TestRuns.TestRun? test = null, CancellationToken cancel = default)
    {
        if (depth > options.MaxCallDepth)
            return CreateOutcome.Refused($"copy and call process nest deeper than {options.MaxCallDepth} levels; stopped to prevent runaway recursion", "call_depth");
        var (task, refused) = Prepare(convId, reference, data, replyTo, depth, test);
        if (task is null) return refused!;
        if (await HeldElsewhere(task) is { } held) return held;
        try
        {
            await writer.Save(task).WaitAsync(cancel);
            task.Stored = true;
            Stored(task);
        }
        catch (Exception e)
        {
            Forget(task);
            return await NotStored(task, e);
        }
        _ = queue.Submit(task);
        return new CreateOutcome(true, "ok", null, task);
    }

    /// <summary>Why a prepared task could not be stored: another node's task took its ref first, or the store failed.</summary>
    internal async Task<CreateOutcome> NotStored(TaskState task, Exception e)
    {
        if (e is Store.RefTakenException)
            // Another node's create with the same ref committed first: name the task that holds it.
            return await ActiveByRefAsync(task.ConvId, task.Ref!) is { } holder ? RefRefused(task.ConvId, task.Ref!, holder) : CreateOutcome.Refused(e.Message, "ref_exists");
        return CreateOutcome.Refused(e is EngineException ? e.Message : $"the task could not be stored: {e.Message}");
    }

    /// <summary>
    /// Several nodes: a prepared task whose ref an active stored task holds is refused (and forgotten)
    /// before it runs its first steps. Two creates racing past this both run; the unique index keeps one.
    /// Not cancelled with the caller: a caller that leaves does not stop a create.
    /// </summary>
    internal async ValueTask<CreateOutcome?> HeldElsewhere(TaskState task)
    {
        if (!node.Shared || task.Ref is not { } reference) return null;
        if (await StoredByRefAsync(task.ConvId, reference, CancellationToken.None) is not { } holder || holder == task.Id) return null;
        Forget(task);
        return RefRefused(task.ConvId, reference, holder);
    }

    /// <summary>Several nodes: once stored, the task's ref is guarded by the store, and this node's claim is let go.</summary>
    internal void Stored(TaskState task)
    {
        if (node.Shared && task.Ref is not null) refs.Release(task.ConvId, task.Ref, task.Id);
    }

    static CreateOutcome RefRefused(long convId, string reference, long holder) =>
        CreateOutcome.Refused($"ref '{reference}' is already used by active task {TaskIds.Format(holder)} of process {convId}; the task was not added", "ref_exists");

    /// <summary>The id of the active task with this ref, if any (from the store when other nodes share it).</summary>
    public async ValueTask<long?> ActiveByRefAsync(long convId, string reference, CancellationToken cancel = default)
    {
        // Alone, or a task of this node that is not stored yet: the ref is held here.
        if (!node.Shared || refs.Holder(convId, reference) is not null) return refs.Holder(convId, reference);
        return await StoredByRefAsync(convId, reference, cancel);
    }

    /// <summary>
    /// The same, without awaiting, for templates ({{conv[ID].ref[REF]}}) that are evaluated in a step:
    /// with other nodes sharing the store it is one indexed read.
    /// </summary>
    internal long? ActiveByRefNow(long convId, string reference)
    {
        if (!node.Shared || refs.Holder(convId, reference) is not null) return refs.Holder(convId, reference);
        using var db = dbs.CreateDbContext();
        return ActiveIds(db, convId, reference).FirstOrDefault();
    }

    async Task<long?> StoredByRefAsync(long convId, string reference, CancellationToken cancel)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        return await ActiveIds(db, convId, reference).FirstOrDefaultAsync(cancel);
    }

    /// <summary>The stored active task holding a ref (the partial unique index keeps it to one).</summary>
    static IQueryable<long?> ActiveIds(Store.WorkflowsDb db, long convId, string reference) =>
        db.Tasks.AsNoTracking().Where(t => t.ConvId == convId && t.Ref == reference && t.Status != TaskPhases.Finished).Select(t => (long?)t.Id);
}
