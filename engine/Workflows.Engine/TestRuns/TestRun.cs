using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workflows.Engine.TestRuns;

/// <summary>
/// What makes a task a test task, kept in its row (<c>tasks.test</c>, null for every other task):
/// where a debug run stops, and the answers pinned per node that API-call and connector nodes get
/// instead of calling out. A test task is counted nowhere: not in node counters, sums or metrics.
/// Test tasks and other tasks never act on each other: what a test task creates is a test task, it
/// modifies and takes from queues only test tasks, and an ordinary task does neither to a test task.
/// </summary>
public sealed record TestRun
{
    /// <summary>Stop before every node (Step); false runs on to the next breakpoint (Continue).</summary>
    public bool Stepping { get; init; }
    /// <summary>Nodes the task stops before.</summary>
    public IReadOnlyList<string> Breakpoints { get; init; } = [];
    /// <summary>Node id → the answer every HTTP request of that node gets.</summary>
    public IReadOnlyDictionary<string, PinnedAnswer> Answers { get; init; } = new Dictionary<string, PinnedAnswer>();

    public bool StopsBefore(string nodeId) => Stepping || Breakpoints.Contains(nodeId);

    /// <summary>
    /// The run of a task a test task creates in another process (copy task, call process): a test task
    /// too, so it is counted nowhere and calls no real service; it does not stop, and has no pinned
    /// answers (they name nodes of the test task's own process), so its API calls are refused.
    /// </summary>
    public static readonly TestRun Created = new();

    /// <summary>The error tag of a step refused because it would have a test task and another task act on each other.</summary>
    public const string Apart = "test_task_apart";

    public string ToJson() => JsonSerializer.Serialize(this, Definitions.DefinitionJson.Options);

    public static TestRun? FromJson(string? text) =>
        string.IsNullOrEmpty(text) ? null : JsonSerializer.Deserialize<TestRun>(text, Definitions.DefinitionJson.Options);

    /// <summary>
    /// Reads a test run as the management API takes it ({"debug", "breakpoints", "answers"}), checking
    /// each node id against the process; answers the run, or what is wrong in a sentence.
    /// </summary>
    public static (TestRun? Run, string? Problem) Read(JsonNode? given, Func<string, bool> nodeExists)
    {
        if (given is not JsonObject o) return (null, "test must be an object: {\"debug\": true, \"breakpoints\": [node ids], \"answers\": {node id: {\"status\": 200, \"body\": …}}}");
        foreach (var (key, _) in o)
            if (key is not ("debug" or "breakpoints" or "answers")) return (null, $"test has no field '{key}'; it takes debug, breakpoints and answers");
        var debug = false;
        if (o["debug"] is { } d && !(d is JsonValue dv && dv.TryGetValue(out debug))) return (null, "test.debug must be true or false");
        var (breakpoints, problem) = ReadBreakpoints(o["breakpoints"], nodeExists);
        if (problem is not null) return (null, problem);
        var answers = new Dictionary<string, PinnedAnswer>();
        if (o["answers"] is { } a)
        {
            if (a is not JsonObject pins) return (null, "test.answers must be an object of node id → {\"status\": 200, \"body\": …}");
            foreach (var (nodeId, pin) in pins)
            {
                if (!nodeExists(nodeId)) return (null, $"test.answers names node '{nodeId}', which the process does not have");
                if (pin is not JsonObject p || p.Any(kv => kv.Key is not ("status" or "body")))
                    return (null, $"test.answers.{nodeId} must be an object with status and body");
                var status = 200;
                if (p["status"] is { } s && !(s is JsonValue sv && sv.TryGetValue(out status) && status is >= 100 and <= 599))
                    return (null, $"test.answers.{nodeId}.status must be an HTTP status from 100 to 599");
                answers[nodeId] = new PinnedAnswer(status, p["body"]?.DeepClone());
            }
        }
        return (new TestRun { Stepping = debug, Breakpoints = breakpoints!, Answers = answers }, null);
    }

    /// <summary>A list of node ids to stop before; null (and why) when it is not one.</summary>
    public static (IReadOnlyList<string>? Breakpoints, string? Problem) ReadBreakpoints(JsonNode? given, Func<string, bool> nodeExists)
    {
        if (given is null) return ([], null);
        if (given is not JsonArray list) return (null, "breakpoints must be a list of node ids");
        var ids = new List<string>();
        foreach (var item in list)
        {
            if (item is not JsonValue v || !v.TryGetValue(out string? id)) return (null, "breakpoints must be a list of node ids (strings)");
            if (!nodeExists(id)) return (null, $"breakpoints name node '{id}', which the process does not have");
            if (!ids.Contains(id)) ids.Add(id);
        }
        return (ids, null);
    }
}

/// <summary>An answer pinned for a node in a test run: the HTTP status and the body (JSON) its requests get.</summary>
public sealed record PinnedAnswer(int Status, JsonNode? Body);
