using System.Text.Json.Nodes;
using Workflows.Engine.Nodes;

namespace Workflows.Engine.Runtime;

/// <summary>How a waiting task leaves its node (timer, time limit, callback, reply) and the data the wake brings.</summary>
internal sealed record Wake(string Reason, NodeOutcome Outcome, JsonObject? Merge = null)
{
    /// <summary>Merge the data, then run the node again instead of leaving by <see cref="Outcome"/> (a set_state node re-checks its rules).</summary>
    public bool Rerun { get; init; }

    /// <summary>Run the node as if the task had just entered it: a test task stopped before it goes on (Step, Continue).</summary>
    public bool Enter { get; init; }
}

/// <summary>What a wake source decides about the task it holds: resume it by a wake, or refuse with a reason.</summary>
internal abstract record WakeDecision
{
    public sealed record Resume(Wake Wake) : WakeDecision;
    public sealed record Refuse(string Description, string Proc = "error") : WakeDecision;
}

/// <summary>The answer to a wake attempt: done, or why not (proc is the Corezoid answer code).</summary>
public sealed record WakeResult(bool Ok, string Proc, string? Description, long TaskId)
{
    public static WakeResult Refused(long id, string description, string proc = "error") => new(false, proc, description, id);
}
