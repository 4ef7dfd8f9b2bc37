using System.Text.Json.Nodes;

namespace Workflows.Engine.Nodes;

/// <summary>
/// What a parameter holds. The designer renders a field per kind, the JSON Schema and the checks in
/// <see cref="PrepareContext"/> follow from it. On the wire (catalog, schema) a kind is its snake_case name.
/// </summary>
public enum ParamKind
{
    /// <summary>Plain text (a name, a path).</summary>
    String,
    /// <summary>Text with {{path}} insertions and $.functions().</summary>
    Template,
    Number,
    Integer,
    Boolean,
    /// <summary>One of <see cref="ParamSpec.Options"/>; letter case is ignored.</summary>
    Select,
    /// <summary>JavaScript source.</summary>
    Code,
    /// <summary>An object of key: value; string values are templates.</summary>
    KeyValue,
    /// <summary>Any JSON (an object of parameters, say).</summary>
    Json,
    /// <summary>A condition node's rules: see <see cref="ConditionFunctions"/>.</summary>
    Rules,
}

public static class ParamKinds
{
    /// <summary>The kind's name on the wire: string, template, …, key_value.</summary>
    public static string WireName(this ParamKind kind) => kind switch
    {
        ParamKind.KeyValue => "key_value",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// One parameter of a node type, written once: the designer's form (GET /api/catalog), the JSON Schema
/// (docs/process.schema.json) and the checks when a process is saved or imported all read it.
/// A parameter left out reads as its <see cref="Default"/>; <see cref="Min"/>/<see cref="Max"/> bound
/// numbers; <see cref="Options"/> are a select's choices; <see cref="CredentialKind"/> marks a string that names a stored credential of that kind.
/// </summary>
public sealed record ParamSpec(
    string Name,
    ParamKind Kind,
    string Label,
    bool Required = false,
    JsonNode? Default = null,
    IReadOnlyList<string>? Options = null,
    string? Help = null,
    double? Min = null,
    double? Max = null,
    string? CredentialKind = null)
{
    /// <summary>The longest a task may wait in one node (delay, callback, call process): 365 days.</summary>
    public const double MaxWaitSeconds = 365 * 86400;

    /// <summary>A wait or time limit in seconds, 1 to <see cref="MaxWaitSeconds"/>.</summary>
    public static ParamSpec Seconds(string name, string label, double? defaultSeconds = null, string? help = null) =>
        new(name, ParamKind.Number, label, Default: defaultSeconds, Help: help, Min: 1, Max: MaxWaitSeconds);

    /// <summary>"must be between 1 and 31536000", "must be at least 1": the one wording of a range.</summary>
    public string? RangeProblem(double value)
    {
        if (Kind == ParamKind.Integer && value != Math.Floor(value)) return "must be a whole number";
        if (value < Min || value > Max)
            return Min is not null && Max is not null ? $"must be between {Min} and {Max}"
                : Min is not null ? $"must be at least {Min}" : $"must be at most {Max}";
        return null;
    }
}
