using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Store;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Runtime;

/// <summary>What a get-from-queue step got: the taken task's obj_id and data, or why nothing (an error tag).</summary>
public sealed record QueueTake(bool Ok, string? ObjId, JsonObject? Data, string? Tag, string? Description)
{
    public static QueueTake Refused(string tag, string description) => new(false, null, null, tag, description);
}

/// <summary>A task taken from its queue by another task's step, already moved to the queue node's next node; committed with the taker.</summary>
internal sealed record TakenTask(TaskState Task, CompiledProcess Process, string From, string To, QueueTaker Taker);

/// <summary>
/// Takes tasks out of queue nodes (get-from-queue). A candidate is held first (<see cref="TaskQueue"/>),
/// then its committed row is read again, so two takers never get one task; the taken task's new row
/// (moved on to the queue node's next node, processing) is committed in the taker's own transaction,
/// so a task leaves its queue exactly when its taker has its data, also across a crash.
/// </summary>
public sealed class QueueTaker(TaskQueue queue, NodeMembership node, IDbContextFactory<WorkflowsDb> dbs, ProcessRegistry processes, IClock clock)
{
    const int Candidates = 20;

    internal async Task<QueueTake> TakeAsync(TaskState taker, long convId, string nodeId, bool newest, CancellationToken cancel)
    {
        if (processes.Find(convId) is not { } entry) return QueueTake.Refused("process_not_found", $"process {convId} does not exist");
        if (entry.Broken is not null) return QueueTake.Refused("process_broken", $"process {convId} is broken: {entry.Broken}");
        if (entry.Latest.Node(nodeId)?.Type is not QueueNode)
            return QueueTake.Refused("not_a_queue", $"process {convId} has no queue node '{nodeId}'");
        for (var round = 0; round < 50; round++)
        {
            List<long> ids;
            await using (var db = await dbs.CreateDbContextAsync(cancel))
            {
                var waiting = db.Tasks.AsNoTracking().Where(t => t.ConvId == convId && t.NodeId == nodeId && t.Status == TaskPhases.Waiting && t.WaitKind == WaitSpec.Queue);
                // A test task takes only test tasks, any other task only tasks that are not.
                waiting = taker.Test is null ? waiting.Where(t => t.Test == null) : waiting.Where(t => t.Test != null);
                var ordered = newest ? waiting.OrderByDescending(t => t.ChangedAt).ThenByDescending(t => t.Id) : waiting.OrderBy(t => t.ChangedAt).ThenBy(t => t.Id);
                ids = await ordered.Select(t => t.Id).Take(Candidates).ToListAsync(cancel);
            }
            var busy = false;
            foreach (var id in ids)
            {
                if (id == taker.Id) continue;
                if (!queue.TryHold(id)) { busy = true; continue; }
                try
                {
                    if (await TryTake(taker, id, convId, nodeId, cancel) is { } take) return take;
                }
                catch
                {
                    queue.Release(id);
                    throw;
                }
                queue.Release(id);
            }
            // Every candidate was held by another taker (or a wake) a moment ago: look again.
            if (!busy) break;
            await Task.Delay(10, cancel);
        }
        return QueueTake.Refused("queue_is_empty", taker.Test is null
            ? $"no task waits in queue node '{nodeId}' of process {convId}"
            : $"no test task waits in queue node '{nodeId}' of process {convId} (a test task takes only test tasks)");
    }

    /// <summary>Takes the held task if its committed row still waits in the queue; null (not taken) otherwise.</summary>
    async Task<QueueTake?> TryTake(TaskState taker, long id, long convId, string nodeId, CancellationToken cancel)
    {
        TaskRow? row;
        await using (var db = await dbs.CreateDbContextAsync(cancel))
            row = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancel);
        if (row is null || row.ConvId != convId || row.NodeId != nodeId || row.Status != TaskPhases.Waiting || row.WaitKind != WaitSpec.Queue
            || (row.Test is null) != (taker.Test is null)) return null;
        var task = TaskService.FromRow(row);
        if (await processes.VersionFor(task) is not { } process || process.Node(nodeId) is not { } queued || queued.Next(Exits.Next) is not { } next) return null;

        var now = clock.UtcNow;
        var scope = new TemplateScope(task.Data, () => StepContext.RootOf(task), now);
        JsonObject handed;
        try { handed = QueueNode.Handed(queued.Prepared as QueueNode.Prepared, task.Data, scope); }
        catch (TemplateException e) { return QueueTake.Refused("bad_value", $"queue node '{nodeId}': {e.Message}"); }
        // Several engine nodes: the queued task becomes this node's, claimed so no other node's taker
        // sees it, before its data is handed over; one node alone owns every task and holds it already.
        if (!await node.ClaimQueuedAsync(row.Id, row.Owner, row.NodeId, row.ChangedAt, cancel)) return null;

        task.Pending.Add(new StepRecord(nodeId, now.ToUnixTimeMilliseconds(), "taken", Exits.Next, null, null, null));
        task.Status = TaskPhase.Processing;
        task.Wait = null;
        task.NodeId = next;
        task.Visits[next] = task.Visits.GetValueOrDefault(next) + 1;
        task.ChangedAt = now;
        taker.Taken = new TakenTask(task, process, nodeId, next, this);
        return new QueueTake(true, task.ObjId, handed, null, null);
    }

    /// <summary>A take that will not be committed: the queued task stays where its row says, free for any taker.</summary>
    internal void LetGo(TakenTask taken)
    {
        queue.Release(taken.Task.Id);
        _ = node.UnclaimQueuedAsync(taken.Task.Id);
    }
}
