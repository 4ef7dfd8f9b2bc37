using System.Text.Json.Nodes;
using Workflows.Engine.Runtime;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// What a node sees while it executes for one task: the task's data, a template scope, the engine's
/// services. Data changes go through <see cref="Set"/> or <see cref="ReplaceData"/> so the runner can
/// record them in the history and undo them if they break the task size limit.
/// </summary>
public sealed class StepContext
{
    readonly Dictionary<string, JsonNode?> _before = [];
    TemplateScope? _scope;

    internal StepContext(TaskState task, RuntimeServices services, CancellationToken cancellation)
    {
        Task = task;
        Services = services;
        Cancellation = cancellation;
        Now = services.Clock.UtcNow;
    }

    public TaskState Task { get; }
    public JsonObject Data => Task.Data;
    public RuntimeServices Services { get; }
    public CancellationToken Cancellation { get; }
    public DateTimeOffset Now { get; }
    public NodeType? NodeType { get; internal set; }

    public TemplateScope Scope => _scope ??= new TemplateScope(Task.Data, () => RootOf(Task), Now);

    internal bool Changed => _before.Count > 0;

    public static JsonObject RootOf(TaskState task) => new()
    {
        ["task_id"] = task.ObjId,
        ["ref"] = task.Ref,
        ["conv_id"] = task.ConvId,
        ["node_id"] = task.NodeId,
        ["create_time"] = task.CreatedAt.ToUnixTimeSeconds(),
    };

    /// <summary>Sets a value at a path in the task data (a.b[0].c), creating what is missing.</summary>
    public void Set(DataPath path, JsonNode? value)
    {
        Remember(path.Root);
        path.Set(Task.Data, value);
    }

    public void Set(string key, JsonNode? value)
    {
        Remember(key);
        Task.Data[key] = value;
    }

    /// <summary>Replaces the data wholesale (the code node); changes are found by comparing keys.</summary>
    public void ReplaceData(JsonObject data)
    {
        foreach (var (key, value) in Task.Data)
            if (!data.TryGetPropertyValue(key, out var now) || !JsonNode.DeepEquals(now, value)) Remember(key);
        foreach (var (key, _) in data)
            if (!Task.Data.ContainsKey(key)) Remember(key);
        Task.Data = data;
        _scope = null;
    }

    void Remember(string key)
    {
        if (_before.ContainsKey(key)) return;
        _before[key] = Task.Data.TryGetPropertyValue(key, out var old) ? old?.DeepClone() : Missing;
    }

    /// <summary>The keys this step set (with their new values) and removed.</summary>
    internal (JsonObject? Set, string[]? Unset) Changes()
    {
        if (_before.Count == 0) return (null, null);
        JsonObject? set = null;
        List<string>? unset = null;
        foreach (var key in _before.Keys)
        {
            if (Task.Data.TryGetPropertyValue(key, out var value)) (set ??= [])[key] = value?.DeepClone();
            else (unset ??= []).Add(key);
        }
        return (set, unset?.ToArray());
    }

    internal void Undo()
    {
        foreach (var (key, old) in _before)
        {
            if (ReferenceEquals(old, Missing)) Task.Data.Remove(key);
            else Task.Data[key] = old?.DeepClone();
        }
        _before.Clear();
    }

    static readonly JsonNode Missing = JsonValue.Create("\u0000missing")!;
}
