using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workflows.Engine.Templates;

/// <summary>What a template can read: the task's data, its root fields and the current time.</summary>
public sealed class TemplateScope(JsonObject data, Func<JsonObject> root, DateTimeOffset now)
{
    JsonObject? _root;

    public TemplateScope(JsonObject data, JsonObject root, DateTimeOffset now) : this(data, () => root, now) { }

    public JsonObject Data => data;
    /// <summary>Where {{env_var[@name]}} reads from; none: every variable reads as empty.</summary>
    public Variables.EnvironmentVariables? Env { get; init; }
    /// <summary>The text goes outside (an API call's request): secret variables read as their value.</summary>
    public bool Outbound { get; init; }

    public string EnvVar(string name) => Env?.Read(name, Outbound) ?? "";
    /// <summary>Where {{node[ID].name}} reads from (a sum node's sum, a node's task count); none: nothing.</summary>
    public Func<string, string, JsonNode?>? Nodes { get; init; }
    /// <summary>Where {{conv[ID].ref[REF]}} reads from: (process as conv_id or @alias, ref) → that task's data, null when there is none.</summary>
    public Func<string, string, JsonObject?>? Tasks { get; init; }
    /// <summary>task_id, ref, conv_id, create_time, node_id: read as {{root.task_id}}; built only when a template reads it.</summary>
    public JsonObject Root => _root ??= root();
    public DateTimeOffset Now => now;

    public JsonNode? Resolve(DataPath path) =>
        path.Root == "root" && path.Length > 1 ? path.Get(Root, 1) : path.Get(data);
}

/// <summary>
/// A parsed text with <c>{{path}}</c> insertions and <c>$.function(...)</c> calls. A template that is
/// exactly one insertion keeps the inserted value's JSON type; anything else renders to a string.
/// </summary>
public sealed class Template
{
    abstract record Part;
    sealed record Literal(string Text) : Part;
    sealed record Insert(DataPath Path) : Part;
    sealed record EnvInsert(string Name) : Part;
    sealed record NodeInsert(string NodeId, string Name) : Part;
    sealed record TaskInsert(Template Process, Template Ref, DataPath? Path) : Part;
    sealed record Call(string Function, Template[] Args) : Part;

    readonly Part[] _parts;

    Template(string text, Part[] parts) { Text = text; _parts = parts; }

    public string Text { get; }
    public bool IsConstant => _parts.All(p => p is Literal);
    public static Template Parse(string text)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '{' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = InsertEnd(text, i + 2);
                if (end < 0) throw new TemplateException($"'{{{{' at position {i} is not closed with '}}}}'");
                Flush();
                var inner = text[(i + 2)..end];
                parts.Add(EnvVarName(inner) is { } env ? new EnvInsert(env) : NodeRead(inner) is { } node ? node : TaskRead(inner) is { } task ? task : new Insert(DataPath.Parse(inner)));
                i = end + 2;
                continue;
            }
            if (text[i] == '$' && i + 2 < text.Length && text[i + 1] == '.' && char.IsAsciiLetter(text[i + 2]))
            {
                var nameEnd = i + 2;
                while (nameEnd < text.Length && (char.IsAsciiLetterOrDigit(text[nameEnd]) || text[nameEnd] == '_')) nameEnd++;
                if (nameEnd < text.Length && text[nameEnd] == '(')
                {
                    var name = text[(i + 2)..nameEnd];
                    if (!TemplateFunctions.IsKnown(name))
                        throw new TemplateException($"unknown function $.{name}; known: {string.Join(", ", TemplateFunctions.Names.Select(n => "$." + n))}");
                    var close = FindClose(text, nameEnd);
                    Flush();
                    var args = SplitArgs(text[(nameEnd + 1)..close]).Select(Parse).ToArray();
                    TemplateFunctions.CheckArity(name, args.Length);
                    parts.Add(new Call(name, args));
                    i = close + 1;
                    continue;
                }
            }
            literal.Append(text[i++]);
        }
        Flush();
        return new Template(text, [.. parts]);

        void Flush()
        {
            if (literal.Length == 0) return;
            parts.Add(new Literal(literal.ToString()));
            literal.Clear();
        }
    }

    /// <summary>The name in Corezoid's <c>env_var[@name]</c>; null for any other insertion.</summary>
    static string? EnvVarName(string inner)
    {
        var t = inner.Trim();
        if (!t.StartsWith("env_var", StringComparison.Ordinal) || t.Length == 7 || t[7] is not ('[' or ' ')) return null;
        var rest = t[7..].TrimStart();
        if (rest.Length > 3 && rest[0] == '[' && rest[1] == '@' && rest[^1] == ']' && rest[2..^1] is var name && Variables.EnvironmentVariables.IsName(name))
            return name;
        throw new TemplateException($"'{t}': an environment variable is read as {{{{env_var[@name]}}}} (letters, digits, '-', '_', '.')");
    }

    /// <summary>
    /// Where the insertion opened before <paramref name="from"/> ends: its "}}", past any insertions
    /// nested inside it (<c>{{conv[@users].ref[{{id}}].name}}</c>); -1 when it is not closed.
    /// </summary>
    static int InsertEnd(string text, int from)
    {
        var depth = 1;
        for (var j = from; j + 1 < text.Length; j++)
        {
            if (text[j] == '{' && text[j + 1] == '{') { depth++; j++; }
            else if (text[j] == '}' && text[j + 1] == '}')
            {
                if (--depth == 0) return j;
                j++;
            }
        }
        return -1;
    }

    /// <summary>
    /// Corezoid's read of another process's task (a state diagram's, say): <c>conv[ID].ref[REF]</c> for
    /// its data, <c>conv[ID].ref[REF].field</c> for one value; ID is a conv_id or @alias, either part may
    /// hold insertions (<c>ref[{{user_id}}]</c>).
    /// </summary>
    static TaskInsert? TaskRead(string inner)
    {
        var t = inner.Trim();
        if (!t.StartsWith("conv[", StringComparison.Ordinal)) return null;
        var convEnd = BracketEnd(t, 4);
        if (convEnd < 0 || !t[(convEnd + 1)..].StartsWith(".ref[", StringComparison.Ordinal))
            throw new TemplateException($"'{t}': another process's task is read as {{{{conv[ID].ref[REF].field}}}}");
        var refEnd = BracketEnd(t, convEnd + 5);
        if (refEnd < 0) throw new TemplateException($"'{t}': the ref[...] is not closed with ']'");
        var process = t[5..convEnd].Trim();
        var reference = t[(convEnd + 6)..refEnd].Trim();
        if (process.Length == 0 || reference.Length == 0) throw new TemplateException($"'{t}': conv[...] and ref[...] must not be empty");
        var rest = t[(refEnd + 1)..];
        DataPath? path = rest.Length == 0 ? null
            : rest[0] == '.' ? DataPath.Parse(rest[1..])
            : rest[0] == '[' ? DataPath.Parse(rest)
            : throw new TemplateException($"'{t}': a field of the task follows a '.'");
        return new TaskInsert(Parse(process), Parse(reference), path);
    }

    /// <summary>The ']' closing the '[' at <paramref name="open"/>, past nested insertions; -1 when there is none.</summary>
    static int BracketEnd(string text, int open)
    {
        for (var j = open + 1; j < text.Length; j++)
        {
            if (text[j] == '{' && j + 1 < text.Length && text[j + 1] == '{')
            {
                var end = InsertEnd(text, j + 2);
                if (end < 0) return -1;
                j = end + 1;
                continue;
            }
            if (text[j] == ']') return j;
        }
        return -1;
    }

    /// <summary>Corezoid's <c>node[ID].name</c>: a sum of a sum node, or <c>count</c>, the tasks in the node now.</summary>
    static NodeInsert? NodeRead(string inner)
    {
        var t = inner.Trim();
        if (!t.StartsWith("node[", StringComparison.Ordinal)) return null;
        var close = t.IndexOf(']', 5);
        var id = close < 0 ? "" : t[5..close].Trim().Trim('"', '\'');
        var name = close < 0 || close + 1 >= t.Length || t[close + 1] != '.' ? "" : t[(close + 2)..];
        if (id.Length == 0 || !Nodes.SumNode.IsName(name))
            throw new TemplateException($"'{t}': a node's value is read as {{{{node[ID].name}}}} (a sum's name, or count)");
        return new NodeInsert(id, name);
    }

    static int FindClose(string text, int open)
    {
        var depth = 0;
        for (var j = open; j < text.Length; j++)
        {
            if (text[j] == '{' && j + 1 < text.Length && text[j + 1] == '{')
            {
                var end = InsertEnd(text, j + 2);
                if (end < 0) break;
                j = end + 1;
                continue;
            }
            if (text[j] == '(') depth++;
            else if (text[j] == ')' && --depth == 0) return j;
        }
        throw new TemplateException($"'(' at position {open} is not closed with ')'");
    }

    /// <summary>Splits function arguments on top-level commas (not inside parentheses or {{ }}).</summary>
    static List<string> SplitArgs(string inner)
    {
        var args = new List<string>();
        if (inner.Trim().Length == 0) return args;
        var depth = 0;
        var start = 0;
        for (var j = 0; j < inner.Length; j++)
        {
            if (inner[j] == '{' && j + 1 < inner.Length && inner[j + 1] == '{')
            {
                var end = InsertEnd(inner, j + 2);
                j = end < 0 ? inner.Length : end + 1;
                continue;
            }
            if (inner[j] == '(') depth++;
            else if (inner[j] == ')') depth--;
            else if (inner[j] == ',' && depth == 0)
            {
                args.Add(inner[start..j].Trim());
                start = j + 1;
            }
        }
        args.Add(inner[start..].Trim());
        return args;
    }

    /// <summary>Renders to a JSON value: one insertion keeps its type, a single call its result type.</summary>
    public JsonNode? Render(TemplateScope scope)
    {
        if (_parts.Length == 1)
        {
            switch (_parts[0])
            {
                case Insert ins: return scope.Resolve(ins.Path)?.DeepClone();
                case EnvInsert env: return JsonValue.Create(scope.EnvVar(env.Name));
                case NodeInsert node: return scope.Nodes?.Invoke(node.NodeId, node.Name);
                case TaskInsert task: return ReadTask(task, scope)?.DeepClone();
                case Call call: return Invoke(call, scope);
            }
        }
        return JsonValue.Create(RenderString(scope));
    }

    public string RenderString(TemplateScope scope)
    {
        if (_parts.Length == 1 && _parts[0] is Literal only) return only.Text;
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            switch (part)
            {
                case Literal l: sb.Append(l.Text); break;
                case Insert ins: sb.Append(AsText(scope.Resolve(ins.Path))); break;
                case EnvInsert env: sb.Append(scope.EnvVar(env.Name)); break;
                case NodeInsert node: sb.Append(AsText(scope.Nodes?.Invoke(node.NodeId, node.Name))); break;
                case TaskInsert task: sb.Append(AsText(ReadTask(task, scope))); break;
                case Call call: sb.Append(AsText(Invoke(call, scope))); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>As in Corezoid, a task that is not there (unknown process or ref) reads as an empty string.</summary>
    static JsonNode? ReadTask(TaskInsert task, TemplateScope scope)
    {
        var data = scope.Tasks?.Invoke(task.Process.RenderString(scope).Trim(), task.Ref.RenderString(scope));
        if (data is null) return JsonValue.Create("");
        return task.Path is null ? data : task.Path.Get(data);
    }

    static JsonNode? Invoke(Call call, TemplateScope scope) =>
        TemplateFunctions.Invoke(call.Function, call.Args.Select(a => a.RenderString(scope)).ToArray(), scope.Now);

    /// <summary>How a JSON value reads inside text: strings raw, numbers invariant, objects as JSON, null as empty.</summary>
    public static string AsText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValueKind() == JsonValueKind.True ? "true" : "false",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => Runtime.TaskJson.Text(node),
    };

    public override string ToString() => Text;
}

/// <summary>A JSON value whose strings are templates (objects and arrays are templated member by member).</summary>
public sealed class ValueTemplate
{
    readonly Template? _template;
    readonly JsonNode? _constant;
    readonly Dictionary<string, ValueTemplate>? _object;
    readonly List<ValueTemplate>? _array;

    ValueTemplate(Template? t, JsonNode? c, Dictionary<string, ValueTemplate>? o, List<ValueTemplate>? a)
    { _template = t; _constant = c; _object = o; _array = a; }

    public static ValueTemplate From(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => new(Template.Parse(v.GetValue<string>()), null, null, null),
        JsonObject o => new(null, null, o.ToDictionary(kv => kv.Key, kv => From(kv.Value)), null),
        JsonArray a => new(null, null, null, a.Select(From).ToList()),
        _ => new(null, node?.DeepClone(), null, null),
    };

    public JsonNode? Render(TemplateScope scope)
    {
        if (_template is not null) return _template.Render(scope);
        if (_object is not null)
        {
            var o = new JsonObject();
            foreach (var (k, v) in _object) o[k] = v.Render(scope);
            return o;
        }
        if (_array is not null)
        {
            var a = new JsonArray();
            foreach (var v in _array) a.Add(v.Render(scope));
            return a;
        }
        return _constant?.DeepClone();
    }
}

static class NumberText
{
    public static bool TryParse(string s, out double d) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out d);
}
