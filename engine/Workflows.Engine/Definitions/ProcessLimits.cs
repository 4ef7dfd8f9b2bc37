namespace Workflows.Engine.Definitions;

/// <summary>The bounds of a definition's own fields, read by the validator and the JSON Schema alike.</summary>
public static class ProcessLimits
{
    public const int TitleMaxLength = 200;
    /// <summary>Node ids and aliases: letters, digits, '-' and '_', 1-64 characters.</summary>
    public const string NamePattern = "^[A-Za-z0-9_-]{1,64}$";
    public const int LoopLimitMin = 1, LoopLimitMax = 10_000;
    public const int TaskSizeLimitMin = 1_000, TaskSizeLimitMax = 10_000_000;
    public const double RetentionHoursMin = 0.01, RetentionHoursMax = 24 * 3650;
}
