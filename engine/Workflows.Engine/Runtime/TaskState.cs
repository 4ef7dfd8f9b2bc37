using System.Text.Json.Nodes;
using Workflows.Engine.Nodes;

namespace Workflows.Engine.Runtime;

/// <summary>A task while the runner holds it. The store keeps the same fields in one row.</summary>
public sealed class TaskState
{
    public long Id { get; init; }
    public long ConvId { get; init; }
    public int Version { get; set; }
    public string? Ref { get; init; }
    public JsonObject Data { get; set; } = [];
    public string NodeId { get; set; } = "";
    public TaskPhase Status { get; set; } = TaskPhase.Processing;
    public string? Result { get; set; }
    public WaitSpec? Wait { get; set; }
    /// <summary>How often the task entered each node: the loop guard's count.</summary>
    public Dictionary<string, int> Visits { get; set; } = [];
    /// <summary>The task that called this one (call process) and waits for its reply.</summary>
    public long? ReplyTo { get; init; }
    /// <summary>How deep in copy/call nesting the task was created: the guard against runaway recursion.</summary>
    public int Depth { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ChangedAt { get; set; }
    /// <summary>A test task's run (debug stops, pinned answers); null for every other task.</summary>
    public TestRuns.TestRun? Test { get; set; }

    /// <summary>False until the task's first row is committed.</summary>
    internal bool Stored { get; set; }
    /// <summary>Steps taken since the last commit; written as one history row.</summary>
    internal List<StepRecord> Pending { get; } = [];
    /// <summary>What sum nodes added since the last commit; committed with the task's row.</summary>
    internal List<SumDelta> PendingSums { get; } = [];
    /// <summary>A task this one took from a queue in its last step: its new row commits with this task's.</summary>
    internal TakenTask? Taken { get; set; }
    /// <summary>Completed when a new task's first row is committed: the moment its creator may be answered.</summary>
    internal TaskCompletionSource? FirstCommit { get; set; }
    /// <summary>Set when a wait ends: how the task leaves its waiting node, and the data the wake brings.</summary>
    internal Wake? Resume { get; set; }
    /// <summary>Whether the run moving the task gave its compute slot back with its last commit (TaskRunner.Commit).</summary>
    internal bool SlotReturned { get; set; }

    public string ObjId => TaskIds.Format(Id);
}

/// <summary>
/// One step of a task's history: the node, when, how it left and what it changed in the data: the
/// keys it set (new values) and removed, and <see cref="Before"/> the old values of the changed keys
/// that existed (a set key missing there was added). A test task's step also keeps the whole
/// <see cref="Data"/> after it; other tasks keep only the difference (docs/designer.md, "Debug and test runs").
/// </summary>
public sealed record StepRecord(string NodeId, long At, string Outcome, string? Exit, JsonObject? Set, string[]? Unset, string? Error)
{
    public JsonObject? Before { get; init; }
    public JsonObject? Data { get; init; }
}

public static class TaskIds
{
    /// <summary>obj_id as Corezoid clients see it: 24 hex characters.</summary>
    public static string Format(long id) => id.ToString("x24", System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string? objId, out long id)
    {
        id = 0;
        if (string.IsNullOrWhiteSpace(objId) || objId.Length > 24) return false;
        return long.TryParse(objId, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out id) && id > 0;
    }
}
