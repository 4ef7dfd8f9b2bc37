using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Reads a node's parameters while it is prepared and collects the problems; every message names the
/// field. The checks a <see cref="ParamSpec"/> declares (required, range, options) happen here, for
/// every node type alike; a parameter left out reads as its declared default.
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

    ParamSpec? Spec(string name)
    {
        if (parameters is null) return null;
        foreach (var p in parameters)
            if (p.Name == name) return p;
        return null;
    }

    /// <summary>The parameter as written, or its declared default when left out.</summary>
    JsonNode? Param(string name) =>
        node.Params[name] ?? (Spec(name)?.Default is { } d ? d.DeepClone() : null);

    bool Required(string name, bool required) => required || Spec(name)?.Required == true;

    /// <summary>Text; a number or boolean reads as its JSON text. A select's value is checked against its options.</summary>
    public string? String(string name, bool required = false)
    {
        required = Required(name, required);
        var value = Param(name);
        if (value is null)
        {
            if (required) Error($"params.{name}", "is required");
            return null;
        }
        string? text = null;
        if (value is JsonValue v && v.TryGetValue(out string? s))
        {
            if (required && string.IsNullOrWhiteSpace(s)) { Error($"params.{name}", "must not be empty"); return s; }
            text = s;
        }
        else if (value is JsonValue num && num.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) text = num.ToJsonString();
        if (text is null)
        {
            Error($"params.{name}", "must be a string");
            return null;
        }
        return Spec(name) is { Options: { } options } ? Choice(name, text, options) : text;
    }

    string Choice(string name, string text, IReadOnlyList<string> options)
    {
        foreach (var option in options)
            if (string.Equals(option, text.Trim(), StringComparison.OrdinalIgnoreCase)) return option;
        Error($"params.{name}", $"'{text}' is not one of {string.Join(", ", options)}");
        return text;
    }

    /// <summary>A number (or a string holding one), checked against the declared range; <paramref name="fallback"/> when left out.</summary>
    public double? Number(string name, double? fallback = null)
    {
        var value = Param(name);
        if (value is null)
        {
            if (Required(name, false)) Error($"params.{name}", "is required");
            return fallback;
        }
        if (value is JsonValue v)
        {
            // By kind, not TryGetValue<double>: a value built in code from an int does not convert that way.
            var text = v.GetValueKind() switch
            {
                JsonValueKind.Number => v.ToJsonString(),
                JsonValueKind.String => v.GetValue<string>(),
                _ => null,
            };
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                if (Spec(name)?.RangeProblem(d) is { } problem) Error($"params.{name}", problem);
                return d;
            }
        }
        Error($"params.{name}", "must be a number");
        return fallback;
    }

    public bool Bool(string name, bool fallback = false)
    {
        var value = Param(name);
        if (value is null) return fallback;
        if (value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            return v.GetValueKind() == JsonValueKind.True;
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
            if (Required(name, required)) Error($"params.{name}", "is required");
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
