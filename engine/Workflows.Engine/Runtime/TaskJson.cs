using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workflows.Engine.Runtime;

/// <summary>
/// How task data is written: UTF-8 as it is (a Cyrillic name takes its 2 bytes a letter, not a
/// 6-byte \u escape), for the store, the size limit and templates alike.
/// </summary>
public static class TaskJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static string Text(JsonNode node) => node.ToJsonString(Options);

    // One scratch counter per thread: the size is taken after every step that changed the data,
    // and a fresh 4 KB buffer each time was a measurable share of the runner's allocations.
    [ThreadStatic] static ByteCounter? _counter;

    /// <summary>The data's size in bytes of JSON, measured without building the string.</summary>
    public static int Size(JsonObject data)
    {
        var counter = _counter ??= new ByteCounter();
        counter.Count = 0;
        using (var json = new Utf8JsonWriter(counter, WriterOptions)) data.WriteTo(json);
        return counter.Count;
    }

    sealed class ByteCounter : System.Buffers.IBufferWriter<byte>
    {
        byte[] _buffer = new byte[4096];
        public int Count { get; set; }
        public void Advance(int count) => Count += count;
        public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint);
        public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint);
        byte[] Ensure(int size) => size > _buffer.Length ? _buffer = new byte[size] : _buffer;
    }
}
