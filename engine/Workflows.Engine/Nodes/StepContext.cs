using System.Text.Json.Nodes;
using Workflows.Engine.Runtime;
using Workflows.Engine.Scripting;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Everything a node sees while it executes for one task, and nothing more: the task (read-only),
/// its data, the clock, and a few capabilities: create a task, send data to a waiting task, reply to
/// the caller, call HTTP, run a script. Data changes go through <see cref="Set(string, JsonNode?)"/>
/// or <see cref="ReplaceData"/> so the runner can record them in the history and undo them if they
/// break the task size limit.
/// </summary>
public sealed class StepContext
{
    readonly Dictionary<string, JsonNode?> _before = [];
    readonly TaskState _task;
    readonly NodeServices _services;
    TemplateScope? _scope;

    internal StepContext(TaskState task, NodeServices services, CancellationToken cancellation)
    {
        _task = task;
        _services = services;
        Cancellation = cancellation;
        Now = services.Clock.UtcNow;
    }

    // ---- the task and its data

    public TaskInfo Task => new(_task);
    public JsonObject Data => _task.Data;
    public TemplateScope Scope => _scope ??= new TemplateScope(_task.Data, () => RootOf(_task), Now) { Env = _services.Env, Nodes = NodeValue, Tasks = _services.TaskDataByRef };
    /// <summary>For what goes outside (an API call's URL, headers, body): secret variables read as their values.</summary>
    public TemplateScope OutboundScope => new(_task.Data, () => RootOf(_task), Now) { Env = _services.Env, Outbound = true, Nodes = NodeValue, Tasks = _services.TaskDataByRef };

    JsonNode? NodeValue(string nodeId, string name) => _services.NodeValue(_task.ConvId, nodeId, name);
    public CancellationToken Cancellation { get; }

    /// <summary>The clock, read once per step: every template and timer of the step sees the same time.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>Sets a value at a path in the task data (a.b[0].c), creating what is missing.</summary>
    public void Set(DataPath path, JsonNode? value)
    {
        Remember(path.Root);
        path.Set(_task.Data, _services.Env.Scrub(value));
    }

    /// <remarks>A secret variable's value in what is written (an API's answer, an error description) is masked.</remarks>
    public void Set(string key, JsonNode? value)
    {
        Remember(key);
        _task.Data[key] = _services.Env.Scrub(value);
    }

    /// <summary>Replaces the data wholesale (the code node); changes are found by comparing keys.</summary>
    public void ReplaceData(JsonObject data)
    {
        foreach (var (key, value) in _task.Data)
            if (!data.TryGetPropertyValue(key, out var now) || !JsonNode.DeepEquals(now, value)) Remember(key);
        foreach (var (key, _) in data)
            if (!_task.Data.ContainsKey(key)) Remember(key);
        _task.Data = (JsonObject)_services.Env.Scrub(data)!;
        _scope = null;
    }

    /// <summary>Takes back every change this step made to the data.</summary>
    public void Undo()
    {
        foreach (var (key, old) in _before)
        {
            if (ReferenceEquals(old, Missing)) _task.Data.Remove(key);
            else _task.Data[key] = old?.DeepClone();
        }
        _before.Clear();
    }

    // ---- capabilities

    /// <summary>Runs the task's scripts (code nodes, JavaScript conditions) in the engine's sandbox.</summary>
    public ScriptHost Scripts => _services.Scripts;

    /// <summary>The HTTP client for calls a process makes (outbound guard applied) and its default limits.</summary>
    public NodeHttp Http => _services.Http;

    /// <summary>A process named by conv_id, @alias or alias; null when there is none.</summary>
    public long? FindProcess(string text) => _services.FindProcess(text);

    /// <summary>
    /// The path (no host) a vendor calls to wake a task of this process waiting in <paramref name="nodeId"/>;
    /// null when the process is gone.
    /// </summary>
    public string? CallbackPath(string nodeId) => _services.CallbackPath(_task.ConvId, nodeId);

    /// <summary>The same for another process (a vendor subscription made by one process that wakes tasks of another).</summary>
    public string? CallbackPath(long convId, string nodeId) => _services.CallbackPath(convId, nodeId);

    /// <summary>
    /// Creates a task in another process, stored before this call returns. With <paramref name="replyToMe"/>
    /// the new task's reply node answers this task (call process). What a test task creates is a test task.
    /// </summary>
    public Task<CreateOutcome> CreateTaskAsync(long convId, string? reference, JsonObject data, bool replyToMe = false) =>
        _services.CreateTaskAsync(convId, reference, data, replyToMe ? _task.Id : null, _task.Depth + 1, _task.Test is null ? null : TestRuns.TestRun.Created, Cancellation);

    /// <summary>The active task with this ref in a process, if any.</summary>
    public ValueTask<long?> ActiveTaskByRefAsync(long convId, string reference) => _services.ActiveTaskByRefAsync(convId, reference, Cancellation);

    /// <summary>
    /// Merges data into a task waiting for a callback and lets it continue (copy task, mode modify);
    /// refused when one of the two is a test task and the other is not.
    /// </summary>
    public Task<WakeResult> SendToWaitingTaskAsync(long taskId, JsonObject data) => _services.SendToWaitingTaskAsync(taskId, data, _task.Test is not null, Cancellation);

    /// <summary>
    /// Takes the oldest (or newest) task waiting in a queue node of a process (get from queue). The
    /// taken task moves on when this task's step is committed, in the same transaction. A test task
    /// takes only test tasks, any other task only tasks that are not.
    /// </summary>
    public Task<QueueTake> TakeFromQueueAsync(long convId, string queueNodeId, bool newest) =>
        _services.TakeFromQueueAsync(_task, convId, queueNodeId, newest, Cancellation);

    /// <summary>Answers the task that called this one (call process); fails when nobody waits.</summary>
    public Task<WakeResult> ReplyToCallerAsync(JsonObject data, NodeError? exception)
    {
        if (_task.ReplyTo is not { } caller) return System.Threading.Tasks.Task.FromResult(WakeResult.Refused(_task.Id, "no process called this task"));
        return _services.ReplyAsync(caller, _task.ObjId, data, exception, Cancellation);
    }

    /// <summary>Adds to a running sum of this task's node (sum node); kept with the task's next commit.</summary>
    public void AddToSum(string name, decimal delta)
    {
        // A test task counts nowhere, sums included.
        if (_task.Test is not null) return;
        _services.Sums.Add(_task.ConvId, _task.NodeId, name, delta);
        _task.PendingSums.Add(new SumDelta(_task.ConvId, _task.NodeId, name, delta));
    }

    // ---- for the runner

    internal bool Changed => _before.Count > 0;

    public static JsonObject RootOf(TaskState task) => new()
    {
        ["task_id"] = task.ObjId,
        ["ref"] = task.Ref,
        ["conv_id"] = task.ConvId,
        ["node_id"] = task.NodeId,
        ["create_time"] = task.CreatedAt.ToUnixTimeSeconds(),
    };

    void Remember(string key)
    {
        if (_before.ContainsKey(key)) return;
        _before[key] = _task.Data.TryGetPropertyValue(key, out var old) ? old?.DeepClone() : Missing;
    }

    /// <summary>The keys this step set (with their new values) and removed, and the old values of those that existed.</summary>
    internal (JsonObject? Set, string[]? Unset, JsonObject? Before) Changes()
    {
        if (_before.Count == 0) return (null, null, null);
        JsonObject? set = null, before = null;
        List<string>? unset = null;
        foreach (var (key, old) in _before)
        {
            var existed = !ReferenceEquals(old, Missing);
            if (_task.Data.TryGetPropertyValue(key, out var value)) (set ??= [])[key] = value?.DeepClone();
            else (unset ??= []).Add(key);
            if (existed) (before ??= [])[key] = old?.DeepClone();
        }
        return (set, unset?.ToArray(), before);
    }

    static readonly JsonNode Missing = JsonValue.Create("\u0000missing")!;
}

/// <summary>The task a node runs for, read-only: a node changes data, never the task's place or state.</summary>
public readonly struct TaskInfo(TaskState task)
{
    public long Id => task.Id;
    /// <summary>obj_id as clients see it.</summary>
    public string ObjId => task.ObjId;
    public long ConvId => task.ConvId;
    public string? Ref => task.Ref;
    public string NodeId => task.NodeId;
    /// <summary>The task that called this one (call process) and waits for its reply.</summary>
    public long? ReplyTo => task.ReplyTo;
    public DateTimeOffset CreatedAt => task.CreatedAt;
}

/// <summary>HTTP for nodes: a client through the outbound guard, the default time-out and answer size limit.</summary>
public sealed class NodeHttp(IHttpClientFactory factory, EngineOptions options)
{
    public const string ClientName = "workflows-api";

    public HttpClient Client() => factory.CreateClient(ClientName);
    public TimeSpan DefaultTimeout => TimeSpan.FromMilliseconds(options.ApiTimeoutMs);
    public int MaxResponseBytes => options.ApiMaxResponseBytes;
}
