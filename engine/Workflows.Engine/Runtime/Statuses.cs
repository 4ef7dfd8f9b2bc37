namespace Workflows.Engine.Runtime;

/// <summary>Where a task is in its life. On the wire and in the store: its lower-case name (see <see cref="TaskPhases"/>).</summary>
public enum TaskPhase
{
    /// <summary>Ready to run or running (also: an effect such as an API call in flight).</summary>
    Processing,
    /// <summary>Parked in a waiting node until its wait record wakes it.</summary>
    Waiting,
    /// <summary>Ended in a final node (result success or error) or stopped by a guard (result error).</summary>
    Finished,
}

/// <summary>A task's status as the APIs show it and the store keeps it: "processing", "waiting", "finished".</summary>
public static class TaskPhases
{
    public const string Processing = "processing";
    public const string Waiting = "waiting";
    public const string Finished = "finished";

    public static string Wire(this TaskPhase phase) => phase switch
    {
        TaskPhase.Processing => Processing,
        TaskPhase.Waiting => Waiting,
        _ => Finished,
    };

    public static TaskPhase Parse(string text) => text switch
    {
        Processing => TaskPhase.Processing,
        Waiting => TaskPhase.Waiting,
        Finished => TaskPhase.Finished,
        _ => throw new FormatException($"'{text}' is not a task status ({Processing}, {Waiting}, {Finished})"),
    };
}

/// <summary>
/// Whether a process takes and moves tasks. On the wire: "active", "paused" or "broken"; the store keeps
/// "active" or "paused" (broken is found when a stored version no longer compiles, never stored).
/// </summary>
public enum ProcessStatus { Active, Paused, Broken }

public static class ProcessStatuses
{
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Broken = "broken";

    public static string Wire(this ProcessStatus status) => status switch
    {
        ProcessStatus.Paused => Paused,
        ProcessStatus.Broken => Broken,
        _ => Active,
    };

    public static bool TryParse(string? text, out ProcessStatus status)
    {
        status = text == Paused ? ProcessStatus.Paused : ProcessStatus.Active;
        return text is Active or Paused;
    }
}
