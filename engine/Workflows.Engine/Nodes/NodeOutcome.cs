namespace Workflows.Engine.Nodes;

public enum OutcomeKind { Go, Fail, Wait, Finish }

/// <summary>What a node tells the runner: leave by an exit, fail to the error exit, wait, or end the task.</summary>
public readonly record struct NodeOutcome(OutcomeKind Kind, string? Exit = null, NodeError? Error = null, WaitSpec? Wait = null, string? Result = null)
{
    public static NodeOutcome Go(string exit = Exits.Next) => new(OutcomeKind.Go, exit);
    public static NodeOutcome Fail(NodeError error) => new(OutcomeKind.Fail, Exits.Error, error);
    public static NodeOutcome Hardware(string tag, string description) => Fail(new NodeError(true, tag, description));
    public static NodeOutcome Software(string tag, string description) => Fail(new NodeError(false, tag, description));
    public static NodeOutcome WaitFor(WaitSpec wait) => new(OutcomeKind.Wait, Wait: wait);
    public static NodeOutcome Finish(string result) => new(OutcomeKind.Finish, Result: result);

    public static ValueTask<NodeOutcome> Next => ValueTask.FromResult(Go());
}

/// <summary>
/// Why a node's action failed. Transient ("hardware": time-outs, connection errors, 5xx) may succeed
/// on a retry; permanent ("software") will not.
/// </summary>
public sealed record NodeError(bool Transient, string Tag, string Description)
{
    public string Type => Transient ? "hardware" : "software";
}

/// <summary>
/// The one waiting primitive: what wakes a parked task (a time, a callback key, a reply) and when it
/// gives up and leaves by the timeout exit. Delays, callbacks and RPC are all this record.
/// </summary>
public sealed record WaitSpec(string Kind, DateTimeOffset? WakeAt = null, string? Key = null, DateTimeOffset? TimeoutAt = null)
{
    public const string Time = "time";
    public const string Callback = "callback";
    public const string Reply = "reply";
    /// <summary>In a queue node until a get-from-queue node takes the task.</summary>
    public const string Queue = "queue";
    /// <summary>A test task stopped before a node in a debug run until Step or Continue.</summary>
    public const string Debug = "debug";

    /// <summary>When the task's time comes: the earlier of its wake time and its time limit (the store's due-time index holds this).</summary>
    public DateTimeOffset? DueAt => WakeAt is null ? TimeoutAt : TimeoutAt is null || WakeAt <= TimeoutAt ? WakeAt : TimeoutAt;
}
