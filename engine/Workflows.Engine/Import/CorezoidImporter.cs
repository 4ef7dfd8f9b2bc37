using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workflows.Engine.Import;

/// <summary>
/// Converts a Corezoid UI export (docs/corezoid-import.md) into our process definitions, node for
/// node, keeping the Corezoid node ids. What cannot be carried over exactly is listed as
/// <see cref="ImportIssue"/>s; the produced graphs stay connected (every exit leads to a node).
/// </summary>
public static class CorezoidImporter
{
    /// <summary>Array properties of folders and API answers that may hold more objects.</summary>
    static readonly string[] ChildLists = ["list", "childs", "children", "ops", "objs"];

    /// <summary>Imports an export: a JSON array of objects (folders nest list/childs), or one process object.</summary>
    /// <exception cref="CorezoidImportException">The text is not JSON, or holds no Corezoid process.</exception>
    public static ImportResult Import(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) throw new CorezoidImportException("The export is empty.");
        JsonNode? root;
        try
        {
            root = LenientJson.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CorezoidImportException($"The export is not valid JSON: {e.Message}", e);
        }
        if (root is not (JsonArray or JsonObject))
            throw new CorezoidImportException("The export must be a JSON array of Corezoid objects or one process object.");

        var result = new ImportResult();
        Walk(root, result, depth: 0);
        if (result.Processes.Count == 0)
            throw new CorezoidImportException(
                "No Corezoid process found: expected objects with obj_type 1 and scheme.nodes" +
                (result.Issues.Count > 0 ? $" ({result.Issues.Count} other object(s) skipped)." : "."));
        return result;
    }

    static void Walk(JsonNode? node, ImportResult result, int depth)
    {
        if (depth > 64) return;
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array) Walk(item, result, depth + 1);
                break;
            case JsonObject obj when IsProcess(obj):
                result.Processes.Add(new ProcessConverter(obj).Convert());
                break;
            case JsonObject obj:
                var nested = false;
                foreach (var name in ChildLists)
                    if (obj[name] is JsonArray list)
                    {
                        nested = true;
                        Walk(list, result, depth + 1);
                    }
                if (!nested && obj["obj_type"] is not null)
                {
                    var type = Cz.Text(obj["obj_type"]);
                    var title = Cz.Text(obj["title"]);
                    result.Issues.Add(new ImportIssue(null, null,
                        $"object '{title}' (obj_type {type}, obj_id {Cz.Text(obj["obj_id"]) ?? "none"})",
                        type == "0" ? "an empty folder; nothing to import" : "not a process (no scheme.nodes); skipped"));
                }
                break;
        }
    }

    static bool IsProcess(JsonObject obj)
    {
        if (obj["scheme"] is not JsonObject scheme || scheme["nodes"] is not JsonArray) return false;
        var type = Cz.Text(obj["obj_type"]);
        return type is null or "1";
    }
}

/// <summary>Small readers of loosely typed Corezoid fields.</summary>
static class Cz
{
    /// <summary>A string, or a number/boolean as its JSON text; null for anything else.</summary>
    public static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };

    public static long? Long(JsonNode? node) =>
        Text(node) is { } s && long.TryParse(s.Trim(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : null;

    public static double Double(JsonNode? node) =>
        Text(node) is { } s && double.TryParse(s.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : 0;

    public static bool Bool(JsonNode? node) => Text(node)?.Trim().ToLowerInvariant() is "true" or "1";

    /// <summary>An object given as an object or as JSON text inside a string (extra, options); null when neither.</summary>
    public static JsonObject? Object(JsonNode? node) => node switch
    {
        JsonObject o => o,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => LenientJson.TryParse(v.GetValue<string>()) as JsonObject,
        _ => null,
    };
}
