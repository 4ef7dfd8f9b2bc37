using System.Text;
using System.Text.Json.Nodes;

namespace Workflows.Engine.Templates;

/// <summary>A compiled path into task data: <c>a.b</c>, <c>arr[0]</c>, <c>a["key with dots"]</c>.</summary>
public sealed class DataPath
{
    readonly object[] _segments; // string = property, int = index

    DataPath(string text, object[] segments) { Text = text; _segments = segments; }

    public string Text { get; }
    public string Root => _segments.Length > 0 && _segments[0] is string s ? s : "";
    public int Length => _segments.Length;

    public static DataPath Parse(string text)
    {
        var t = text.Trim();
        if (t.Length == 0) throw new TemplateException("a path must not be empty");
        var segments = new List<object>();
        var i = 0;
        var expectName = true;
        while (i < t.Length)
        {
            var c = t[i];
            if (c == '[')
            {
                var end = t.IndexOf(']', i);
                if (end < 0) throw new TemplateException($"path '{t}' has an unclosed '['");
                var inner = t[(i + 1)..end].Trim();
                if (inner.Length >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner[^1] == inner[0]) segments.Add(inner[1..^1]);
                else if (int.TryParse(inner, out var idx) && idx >= 0) segments.Add(idx);
                else throw new TemplateException($"path '{t}' has a bad index [{inner}]");
                i = end + 1;
                expectName = false;
                continue;
            }
            if (c == '.')
            {
                if (expectName) throw new TemplateException($"path '{t}' has an empty name");
                i++;
                expectName = true;
                continue;
            }
            if (!expectName) throw new TemplateException($"path '{t}' needs a '.' before '{c}'");
            var sb = new StringBuilder();
            while (i < t.Length && t[i] != '.' && t[i] != '[')
            {
                if (char.IsWhiteSpace(t[i]) || t[i] is '{' or '}' or ']' or '(' or ')' or '"' or '\'')
                    throw new TemplateException($"path '{t}' has a bad character '{t[i]}'");
                sb.Append(t[i++]);
            }
            segments.Add(sb.ToString());
            expectName = false;
        }
        if (expectName) throw new TemplateException($"path '{t}' ends with '.'");
        return new DataPath(t, [.. segments]);
    }

    public JsonNode? Get(JsonNode? root) => Get(root, 0);

    public JsonNode? Get(JsonNode? root, int skip)
    {
        var node = root;
        for (var i = skip; i < _segments.Length && node is not null; i++)
        {
            node = _segments[i] switch
            {
                string name when node is JsonObject o => o.TryGetPropertyValue(name, out var v) ? v : null,
                int index when node is JsonArray a => index < a.Count ? a[index] : null,
                string name when node is JsonArray a && int.TryParse(name, out var ix) => ix < a.Count ? a[ix] : null,
                _ => null,
            };
        }
        return node;
    }

    /// <summary>Sets the value, creating the objects (or arrays, for an index) on the way.</summary>
    /// <exception cref="TemplateException">The value would sit deeper than task data may nest (the node's error exit).</exception>
    public void Set(JsonObject root, JsonNode? value)
    {
        // Task data nests at most as deep as any JSON the engine reads or stores; deeper data could not be committed.
        if (_segments.Length + Depth(value) >= Security.JsonInput.MaxDepth)
            throw new TemplateException($"path '{(Text.Length > 60 ? Text[..60] + "…" : Text)}' would nest the data {_segments.Length + Depth(value)} levels deep; task data nests at most {Security.JsonInput.MaxDepth - 1} levels");
        JsonNode current = root;
        for (var i = 0; i < _segments.Length; i++)
        {
            var last = i == _segments.Length - 1;
            var seg = _segments[i];
            if (current is JsonObject o)
            {
                var name = seg as string ?? seg.ToString()!;
                if (last) { o[name] = value; return; }
                var next = o[name];
                if (next is not JsonObject && next is not JsonArray)
                {
                    next = _segments[i + 1] is int ? new JsonArray() : new JsonObject();
                    o[name] = next;
                }
                current = next;
            }
            else if (current is JsonArray a)
            {
                var index = seg is int ix ? ix : int.TryParse((string)seg, out var p) ? p : throw new TemplateException($"'{seg}' is not an index of an array in path '{Text}'");
                if (index > a.Count + 10_000) throw new TemplateException($"index {index} is too far past the end of the array in path '{Text}'");
                while (a.Count <= index) a.Add(null);
                if (last) { a[index] = value; return; }
                var next = a[index];
                if (next is not JsonObject && next is not JsonArray)
                {
                    next = _segments[i + 1] is int ? new JsonArray() : new JsonObject();
                    a[index] = next;
                }
                current = next;
            }
        }
    }

    static int Depth(JsonNode? node) => node switch
    {
        JsonObject o => 1 + o.Select(kv => Depth(kv.Value)).DefaultIfEmpty(0).Max(),
        JsonArray a => 1 + a.Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    public override string ToString() => Text;
}
