using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Workflows.Engine.Security;

/// <summary>
/// What any JSON a caller or an editor sends must be before anything reads it: valid UTF-8, no
/// escaped lone surrogate, no key twice in one object, every number a finite double, at most
/// <see cref="MaxDepth"/> levels. System.Text.Json notices some of these only when a value is read
/// (a duplicate key when the object is first used, 1e400 when the number is read), which is how a
/// request used to fail half-way, after a write. One check, one wording, on every surface.
/// </summary>
public static class JsonInput
{
    public const int MaxDepth = 64;

    /// <summary>How request bodies are read: strict JSON.</summary>
    public static readonly JsonReaderOptions Strict = new() { MaxDepth = MaxDepth };

    /// <summary>How definitions are read (docs/process-format.md): comments and trailing commas are skipped.</summary>
    public static readonly JsonReaderOptions Relaxed = new() { MaxDepth = MaxDepth, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Null when the text is fine, else what is wrong with it, for a 400 or a format_error.</summary>
    public static string? Problem(ReadOnlySpan<byte> utf8, JsonReaderOptions options, bool duplicateKeysAllowed = false)
    {
        if (Utf8.IsValid(utf8) is false) return $"the body is not valid UTF-8 text (first bad byte at offset {FirstInvalidByte(utf8)})";
        var reader = new Utf8JsonReader(utf8, options);
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        Advance(frames);
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, duplicateKeysAllowed ? null : new HashSet<string>(StringComparer.Ordinal)));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        var frame = frames[^1];
                        frame.Key = name;
                        if (frame.Keys is { } keys && !keys.Add(name)) return $"the key \"{name}\" appears twice in one object (at {Path(frames)}); each key may appear once";
                        break;
                    case JsonTokenType.String:
                        Advance(frames);
                        if (reader.ValueIsEscaped) _ = reader.GetString();
                        break;
                    case JsonTokenType.Number:
                        Advance(frames);
                        if (!reader.TryGetDouble(out var number) || !double.IsFinite(number))
                            return $"the number {Encoding.UTF8.GetString(reader.ValueSpan)} at {Path(frames)} is outside the range of a double (about ±1.7e308)";
                        break;
                    default:
                        Advance(frames);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            return $"the body is not readable JSON: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}";
        }
        catch (InvalidOperationException)
        {
            return BadUnicode;
        }
        return null;
    }

    /// <summary>Checks and parses; the node is null with the reason when the text is refused.</summary>
    public static (JsonNode? Node, string? Problem) Parse(ReadOnlySpan<byte> utf8, JsonReaderOptions options, bool duplicateKeysAllowed = false)
    {
        if (Problem(utf8, options, duplicateKeysAllowed) is { } problem) return (null, problem);
        var reader = new Utf8JsonReader(utf8, options);
        return (JsonNode.Parse(ref reader), null);
    }

    public const string BadUnicode = "the body holds a \\u escape that is not valid Unicode (a lone surrogate)";

    sealed class Frame(bool isArray, HashSet<string>? keys)
    {
        public bool IsArray { get; } = isArray;
        public HashSet<string>? Keys { get; } = keys;
        public string? Key { get; set; }
        public int Index { get; set; } = -1;
    }

    /// <summary>A value starts: in an array it is the next element.</summary>
    static void Advance(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray) frames[^1].Index++;
    }

    static string Path(List<Frame> frames)
    {
        var path = new StringBuilder("$");
        foreach (var f in frames)
        {
            if (f.IsArray) { if (f.Index >= 0) path.Append('[').Append(f.Index).Append(']'); }
            else if (f.Key is not null) path.Append('.').Append(f.Key);
        }
        return path.ToString();
    }

    static int FirstInvalidByte(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done) return offset;
            offset += consumed;
        }
        return offset;
    }
}
