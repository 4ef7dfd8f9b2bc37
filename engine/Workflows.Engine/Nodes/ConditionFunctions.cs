namespace Workflows.Engine.Nodes;

/// <summary>
/// The comparisons a condition rule may use and the types it may compare as: written here once, read by
/// the condition node, the importer, the JSON Schema and the designer's rules editor (through the catalog).
/// </summary>
public static class ConditionFunctions
{
    public sealed record Function(string Name, string Label);

    public static readonly IReadOnlyList<Function> All =
    [
        new("eq", "= equals"),
        new("not_eq", "≠ not equal"),
        new("less", "< less"),
        new("more", "> more"),
        new("less_or_eq", "≤ less or equal"),
        new("more_or_eq", "≥ more or equal"),
        new("regexp", "~ matches regexp"),
    ];

    public static readonly IReadOnlyList<string> Names = [.. All.Select(f => f.Name)];

    /// <summary>What both sides are read as before they are compared.</summary>
    public static readonly IReadOnlyList<string> Casts = ["string", "number", "boolean"];

    public static bool IsKnown(string name) => Names.Contains(name);
}
