using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workflows.Engine.Import;

/// <summary>
/// Reads JSON into a <see cref="JsonNode"/> tree the way Corezoid exports need: a repeated key
/// replaces the earlier one (last wins), comments and trailing commas are skipped. Numbers keep
/// their exact text (backed by a <see cref="JsonElement"/>), so they read back as any numeric type.
/// </summary>
static class LenientJson
{
    static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 256,
    };

    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    public static JsonNode? Parse(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text.TrimStart('\uFEFF'));
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        if (!reader.Read()) throw new JsonException("The text holds no JSON value.");
        var node = ReadValue(ref reader);
        if (reader.Read()) throw new JsonException($"Unexpected content after the JSON value at byte {reader.TokenStartIndex}.");
        return node;
    }

    /// <summary>Parses JSON held in a string field (extra, options); null when it is not JSON.</summary>
    public static JsonNode? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return Parse(text); }
        catch (JsonException) { return null; }
    }

    static JsonNode? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString() ?? "";
                    reader.Read();
                    var value = ReadValue(ref reader);
                    obj.Remove(key);
                    obj[key] = value;
                }
                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonArray();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) array.Add(ReadValue(ref reader));
                return array;
            case JsonTokenType.String:
                return JsonValue.Create(reader.GetString());
            case JsonTokenType.Number:
                using (var doc = JsonDocument.Parse(reader.ValueSpan.ToArray()))
                    return JsonValue.Create(doc.RootElement.Clone());
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            case JsonTokenType.Null:
                return null;
            default:
                throw new JsonException($"Unexpected token {reader.TokenType} at byte {reader.TokenStartIndex}.");
        }
    }
}
