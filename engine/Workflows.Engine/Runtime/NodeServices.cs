using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Nodes;
using Workflows.Engine.Scripting;

namespace Workflows.Engine.Runtime;

/// <summary>The engine's side of <see cref="StepContext"/>'s capabilities; nodes reach it only through the step.</summary>
/// <remarks>
/// Built from parts below the runner (intake, waker, refs, registry): the runner depends on this, and
/// nothing here depends on the runner, so there is no cycle to break by looking services up late.
/// </remarks>
public sealed class NodeServices(ScriptHost scripts, NodeHttp http, IClock clock, ProcessRegistry processes, TaskIntake intake, TaskWaker waker, Variables.EnvironmentVariables env, NodeSums sums, NodeCounters counters, QueueTaker queues, IDbContextFactory<Store.WorkflowsDb> dbs)
{
    public Variables.EnvironmentVariables Env => env;
    public ScriptHost Scripts => scripts;
    public NodeHttp Http => http;
    public IClock Clock => clock;
    public NodeSums Sums => sums;

    /// <summary>{{node[ID].name}} in a process: a sum of its sum node, or count (the tasks in the node now).</summary>
    public JsonNode? NodeValue(long convId, string nodeId, string name)
    {
        if (sums.Read(convId, nodeId, name) is { } sum) return JsonValue.Create(sum);
        if (name == "count") return JsonValue.Create(counters.InNode(convId, nodeId));
        return null;
    }

    /// <summary>
    /// {{conv[ID].ref[REF]}}: the data of the active task with that ref in the process (conv_id or @alias),
    /// as last committed; null when there is none. A state diagram's tasks are active while they wait in their state.
    /// </summary>
    public JsonObject? TaskDataByRef(string process, string reference)
    {
        if (processes.Resolve(process) is not { } convId || intake.ActiveByRefNow(convId, reference) is not { } id) return null;
        using var db = dbs.CreateDbContext();
        var data = db.Tasks.AsNoTracking().Where(t => t.Id == id).Select(t => t.Data).FirstOrDefault();
        return data is null ? null : JsonNode.Parse(data) as JsonObject;
    }

    public long? FindProcess(string text) => processes.Resolve(text);

    public string? CallbackPath(long convId, string nodeId) =>
        processes.Find(convId) is { } process ? $"/api/1/json/callback/{convId}/{process.Row.Hash}/{Uri.EscapeDataString(nodeId)}" : null;

    public Task<CreateOutcome> CreateTaskAsync(long convId, string? reference, JsonObject data, long? replyTo, int depth, TestRuns.TestRun? test, CancellationToken cancel) =>
        intake.CreateFromTaskAsync(convId, reference, data, replyTo, depth, test, cancel);

    public ValueTask<long?> ActiveTaskByRefAsync(long convId, string reference, CancellationToken cancel) => intake.ActiveByRefAsync(convId, reference, cancel);

    public Task<WakeResult> SendToWaitingTaskAsync(long taskId, JsonObject data, bool fromTestTask, CancellationToken cancel) =>
        waker.CallbackAsync(taskId, data, fromTestTask: fromTestTask, cancel: cancel);

    internal Task<QueueTake> TakeFromQueueAsync(TaskState taker, long convId, string nodeId, bool newest, CancellationToken cancel) =>
        queues.TakeAsync(taker, convId, nodeId, newest, cancel);

    public Task<WakeResult> ReplyAsync(long callerId, string calleeObjId, JsonObject data, NodeError? exception, CancellationToken cancel) =>
        waker.ReplyAsync(callerId, calleeObjId, data, exception, cancel);
}

/// <summary>The engine's clock; tests swap it for one they control.</summary>
public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

public sealed class SystemClock : IClock
{
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}
