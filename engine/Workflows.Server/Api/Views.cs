using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Runtime;
using Workflows.Engine.Store;

namespace Workflows.Server.Api;

// The management API's answers as types: the OpenAPI document (/openapi/v1.json) describes them,
// and the designer's API types are generated from that document (designer/src/api/schema.ts).
// Every property is always written (null when empty), hence "required".

public record ProcessSummary
{
    public required long ConvId { get; init; }
    public required string Title { get; init; }
    public required string? Description { get; init; }
    public required string? Alias { get; init; }
    /// <summary>active, paused, or broken (a stored version that no longer compiles).</summary>
    public required string Status { get; init; }
    /// <summary>Why a stored version cannot run (the process keeps its tasks and takes no new ones until saved again).</summary>
    public required string? Broken { get; init; }
    public required int Version { get; init; }
    public required string Hash { get; init; }
    public required string PublicUrl { get; init; }
    /// <summary>Tasks in the process's nodes now.</summary>
    public required long Tasks { get; init; }
    public required string CreatedAt { get; init; }
    public required string ChangedAt { get; init; }

    public static ProcessSummary Of(ProcessEntry p, NodeCounters counters) => new()
    {
        ConvId = p.ConvId,
        Title = p.Row.Title,
        Description = p.Row.Description,
        Alias = p.Row.Alias,
        Status = p.Status.Wire(),
        Broken = p.Broken,
        Version = p.Row.Version,
        Hash = p.Row.Hash,
        PublicUrl = $"/api/1/json/public/{p.ConvId}/{p.Row.Hash}",
        Tasks = counters.ForProcess(p.ConvId).Values.Sum(c => c.InNode),
        CreatedAt = Json.Iso(p.Row.CreatedAt),
        ChangedAt = Json.Iso(p.Row.ChangedAt),
    };
}

public sealed record ProcessDetails : ProcessSummary
{
    public required JsonObject Definition { get; init; }
    /// <summary>Accepted, with remarks (a node no path reaches).</summary>
    public required IReadOnlyList<ValidationError> Warnings { get; init; }

    /// <summary>The definition is written as the process file is (nulls left out), not with the API's options.</summary>
    public static ProcessDetails With(ProcessEntry p, NodeCounters counters) =>
        new(ProcessSummary.Of(p, counters), JsonSerializer.SerializeToNode(p.Latest.Definition, DefinitionJson.Options)!.AsObject(),
            p.Latest.Warnings.Select(ValidationError.Of).ToList());

    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    ProcessDetails(ProcessSummary summary, JsonObject definition, IReadOnlyList<ValidationError> warnings) : base(summary)
    {
        Definition = definition;
        Warnings = warnings;
    }
}

public sealed record ValidationError(string? NodeId, string? Field, string Message)
{
    public static ValidationError Of(DefinitionError e) => new(e.NodeId, e.Field, e.Message);
}

/// <summary>Errors refuse a save; warnings are remarks on a process that is saved anyway.</summary>
public sealed record ValidationResult(bool Valid, IReadOnlyList<ValidationError> Errors, IReadOnlyList<ValidationError> Warnings);

public sealed record VersionInfo(int Version, string CreatedAt);

public sealed record NodeCounter(long Now, long Entered, long Left);

/// <param name="Sums">Running sums of sum nodes: node id → sum name → decimal text (exact, whatever a client's numbers can hold).</param>
public sealed record ProcessCounters(long ConvId, IReadOnlyDictionary<string, NodeCounter> Nodes, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Sums)
{
    public static async Task<ProcessCounters> Of(long convId, LiveCounters live)
    {
        var view = await live.ReadAsync(convId);
        return new(
            convId,
            view.Nodes.ToDictionary(kv => kv.Key, kv => new NodeCounter(kv.Value.Now, kv.Value.Entered, kv.Value.Left)),
            view.Sums.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value.ToDictionary(s => s.Key, s => s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }
}

public record TaskInfo
{
    public required string ObjId { get; init; }
    public required long ConvId { get; init; }
    public required int Version { get; init; }
    public required string? Ref { get; init; }
    public required string NodeId { get; init; }
    public required string Status { get; init; }
    public required string? Result { get; init; }
    /// <summary>What a waiting task waits for (delay, callback, reply, time limit).</summary>
    public required string? Wait { get; init; }
    /// <summary>When the timers next wake it: its delay's end or its time limit, whichever comes first.</summary>
    public required string? WakeAt { get; init; }
    /// <summary>When its time limit runs out.</summary>
    public required string? TimeLimitAt { get; init; }
    public required JsonObject Data { get; init; }
    public required string CreatedAt { get; init; }
    public required string ChangedAt { get; init; }
    /// <summary>A test task's run (counted nowhere, answers pinned, stops in a debug run); null for every other task.</summary>
    public required TestRunInfo? Test { get; init; }

    public static TaskInfo Of(TaskRow t) => new()
    {
        ObjId = TaskIds.Format(t.Id),
        ConvId = t.ConvId,
        Version = t.Version,
        Ref = t.Ref,
        NodeId = t.NodeId,
        Status = t.Status,
        Result = t.Result,
        Wait = t.WaitKind,
        WakeAt = t.WakeAt is { } wake ? Json.Iso(wake) : null,
        TimeLimitAt = t.TimeoutAt is { } limit ? Json.Iso(limit) : null,
        Data = JsonNode.Parse(t.Data)!.AsObject(),
        CreatedAt = Json.Iso(t.CreatedAt),
        ChangedAt = Json.Iso(t.ChangedAt),
        Test = TestRunInfo.Of(Workflows.Engine.TestRuns.TestRun.FromJson(t.Test)),
    };
}

/// <summary>A test task's run: whether it stops before every node (stepping), its breakpoints and the answers pinned per node.</summary>
public sealed record TestRunInfo(bool Stepping, IReadOnlyList<string> Breakpoints, IReadOnlyDictionary<string, PinnedAnswerInfo> Answers)
{
    public static TestRunInfo? Of(Workflows.Engine.TestRuns.TestRun? run) => run is null ? null
        : new(run.Stepping, run.Breakpoints, run.Answers.ToDictionary(a => a.Key, a => new PinnedAnswerInfo(a.Value.Status, a.Value.Body?.DeepClone())));
}

/// <summary>The HTTP status and JSON body a node's requests get in a test run.</summary>
public sealed record PinnedAnswerInfo(int Status, JsonNode? Body);

/// <summary>
/// One step of a task, as the history keeps it: the node (and its title in the process now), how it
/// left, and what it changed: <c>set</c> (new values), <c>unset</c>, and <c>before</c> (the old values
/// of the changed keys that existed). A test task's step also has <c>data</c>, the whole data after it.
/// </summary>
public sealed record HistoryStep(string NodeId, string? Title, string At, string Outcome, string? Exit, JsonObject? Set, IReadOnlyList<string>? Unset, JsonObject? Before, JsonObject? Data, string? Error)
{
    public static HistoryStep Of(JsonObject step, Func<string, string?> titleOf)
    {
        var nodeId = (string?)step["node_id"] ?? "";
        return new(
            nodeId,
            titleOf(nodeId),
            step["at"] is JsonValue at && at.TryGetValue(out long ms) ? Json.Iso(ms) : (string?)step["at"] ?? "",
            (string?)step["outcome"] ?? "",
            (string?)step["exit"],
            step["set"]?.DeepClone().AsObject(),
            step["unset"]?.AsArray().Select(u => (string)u!).ToList(),
            step["before"]?.DeepClone().AsObject(),
            step["data"]?.DeepClone().AsObject(),
            (string?)step["error"]);
    }

    /// <summary>Node titles from the process's latest version (the node type's title where a node has none; null where the node is gone).</summary>
    public static Func<string, string?> TitlesOf(long convId, ProcessRegistry processes)
    {
        var latest = processes.Find(convId)?.Latest;
        return nodeId => latest?.Node(nodeId) is { } node ? (string.IsNullOrWhiteSpace(node.Definition.Title) ? node.Type.Description.Title : node.Definition.Title) : null;
    }
}

public sealed record TaskDetails : TaskInfo
{
    public required IReadOnlyList<HistoryStep> History { get; init; }

    public static TaskDetails Of(TaskRow t, IEnumerable<JsonObject> history, ProcessRegistry processes)
    {
        var titleOf = HistoryStep.TitlesOf(t.ConvId, processes);
        return new(TaskInfo.Of(t), history.Select(step => HistoryStep.Of(step, titleOf)).ToList());
    }

    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    TaskDetails(TaskInfo task, IReadOnlyList<HistoryStep> history) : base(task) => History = history;
}

/// <summary>A callback or retry the engine took: the task goes on.</summary>
public sealed record TaskAccepted(string ObjId, string Proc);

/// <summary>A node's failed tasks sent back to it: how many went, and why the others did not.</summary>
public sealed record NodeRetried(int Retried, IReadOnlyList<string> Refused);

/// <summary>An environment variable ({{env_var[@name]}}); a secret's value is never sent back.</summary>
public sealed record EnvVarInfo(string Name, bool Secret, string? Value, string UpdatedAt)
{
    public static EnvVarInfo Of(Workflows.Engine.Variables.EnvVar v) => new(v.Name, v.Secret, v.Secret ? null : v.Value, v.UpdatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
}
