using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;

namespace Workflows.Engine.Nodes;

/// <summary>
/// A node type: its description (parameters and exits, from which the designer builds its form)
/// plus how to prepare a configured node and execute it for one task.
/// </summary>
public abstract class NodeType
{
    public abstract NodeDescription Description { get; }

    public string Name => Description.Type;

    /// <summary>The exits a configured node has (a condition node adds one per rule).</summary>
    public virtual IEnumerable<ExitSpec> ExitsOf(NodeDefinition node) => Description.Exits;

    /// <summary>
    /// Checks the node's parameters and compiles them (templates, scripts, regexps) once per
    /// process version. Problems go to <paramref name="errors"/>; the result is handed back to
    /// <see cref="ExecuteAsync"/> for every task.
    /// </summary>
    public abstract object? Prepare(NodeDefinition node, PrepareContext context);

    public abstract ValueTask<NodeOutcome> ExecuteAsync(StepContext step, object? prepared);
}

/// <summary>A node type whose prepared form is a typed object.</summary>
public abstract class NodeType<TPrepared> : NodeType where TPrepared : class
{
    public sealed override object? Prepare(NodeDefinition node, PrepareContext context) => PrepareNode(node, context);

    public sealed override ValueTask<NodeOutcome> ExecuteAsync(StepContext step, object? prepared) =>
        Execute(step, (TPrepared)prepared!);

    protected abstract TPrepared? PrepareNode(NodeDefinition node, PrepareContext context);

    protected abstract ValueTask<NodeOutcome> Execute(StepContext step, TPrepared node);
}

/// <summary>How the runner treats a node: instant steps chain in memory, effects run after a commit, waits park the task.</summary>
public enum NodeKind { Instant, Effect, Wait, Final }

public sealed record NodeDescription(
    string Type,
    string Title,
    string Category,
    string Icon,
    NodeKind Kind,
    IReadOnlyList<ParamSpec> Parameters,
    IReadOnlyList<ExitSpec> Exits,
    string? ErrorKind = null,
    string? Help = null);

/// <summary>
/// One parameter of a node type. Types: string, template, number, integer, boolean, select,
/// code, key_value, rules, json. The designer renders a field per type.
/// </summary>
public sealed record ParamSpec(
    string Name,
    string Type,
    string Label,
    bool Required = false,
    JsonNode? Default = null,
    IReadOnlyList<string>? Options = null,
    string? Help = null);

public sealed record ExitSpec(string Name, string Label, bool Required = true);

public static class Exits
{
    public const string Next = "next";
    public const string Error = "error";
    public const string Default = "default";
    public const string Timeout = "timeout";

    public static readonly ExitSpec NextExit = new(Next, "Next");
    public static readonly ExitSpec ErrorExit = new(Error, "Error");
}

/// <summary>
/// Collects problems found while preparing one node; every message names the field. A parameter left
/// out reads as the default its <see cref="ParamSpec"/> declares, so a default is written once, in the description.
/// </summary>
public sealed class PrepareContext(NodeDefinition node, List<DefinitionError> errors, Scripting.ScriptHost scripts, IReadOnlyList<ParamSpec>? parameters = null)
{
    public NodeDefinition Node => node;
    public Scripting.ScriptHost Scripts => scripts;
    public bool HasErrors { get; private set; }

    public void Error(string field, string message)
    {
        HasErrors = true;
        errors.Add(new DefinitionError(node.Id, field, message));
    }

    /// <summary>The parameter as written, or its declared default when left out.</summary>
    JsonNode? Param(string name) =>
        node.Params[name] ?? (parameters?.FirstOrDefault(p => p.Name == name)?.Default is { } d ? JsonNode.Parse(d.ToJsonString()) : null);

    public string? String(string name, bool required = false)
    {
        var value = Param(name);
        if (value is null)
        {
            if (required) Error($"params.{name}", "is required");
            return null;
        }
        if (value is JsonValue v && v.TryGetValue(out string? s))
        {
            if (required && string.IsNullOrWhiteSpace(s)) Error($"params.{name}", "must not be empty");
            return s;
        }
        if (value is JsonValue num && (num.TryGetValue(out double _) || num.TryGetValue(out bool _))) return num.ToJsonString();
        Error($"params.{name}", "must be a string");
        return null;
    }

    public double? Number(string name, double? fallback = null)
    {
        var value = Param(name);
        if (value is null) return fallback;
        if (value is JsonValue v)
        {
            // By kind, not TryGetValue<double>: a value built in code from an int does not convert that way.
            var text = v.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.Number => v.ToJsonString(),
                System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
                _ => null,
            };
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)) return d;
        }
        Error($"params.{name}", "must be a number");
        return fallback;
    }

    public bool Bool(string name, bool fallback = false)
    {
        var value = Param(name);
        if (value is null) return fallback;
        if (value is JsonValue v && v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
            return v.GetValueKind() == System.Text.Json.JsonValueKind.True;
        Error($"params.{name}", "must be true or false");
        return fallback;
    }

    public Templates.Template? Template(string name, bool required = false)
    {
        var text = String(name, required);
        return text is null ? null : TemplateOf($"params.{name}", text);
    }

    public Templates.Template? TemplateOf(string field, string text)
    {
        try { return Templates.Template.Parse(text); }
        catch (Templates.TemplateException e) { Error(field, e.Message); return null; }
    }

    /// <summary>A key/value list: a JSON object whose values are templates (strings) or plain JSON.</summary>
    public List<(string Key, Templates.ValueTemplate Value)> KeyValues(string name, bool required = false)
    {
        var list = new List<(string, Templates.ValueTemplate)>();
        var value = node.Params[name];
        if (value is null)
        {
            if (required) Error($"params.{name}", "is required");
            return list;
        }
        if (value is not JsonObject obj)
        {
            Error($"params.{name}", "must be an object of key: value");
            return list;
        }
        foreach (var (key, item) in obj)
        {
            if (string.IsNullOrWhiteSpace(key)) { Error($"params.{name}", "has an empty key"); continue; }
            try { list.Add((key, Templates.ValueTemplate.From(item))); }
            catch (Templates.TemplateException e) { Error($"params.{name}.{key}", e.Message); }
        }
        return list;
    }
}

public sealed record DefinitionError(string? NodeId, string Field, string Message)
{
    public override string ToString() => NodeId is null ? $"{Field}: {Message}" : $"node '{NodeId}', {Field}: {Message}";
}
