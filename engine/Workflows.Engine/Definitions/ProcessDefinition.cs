using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Workflows.Engine.Definitions;

/// <summary>A process as analysts write it: the JSON file format (docs/process-format.md).</summary>
public sealed class ProcessDefinition
{
    public long? ConvId { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    /// <summary>Optional short name other processes can use instead of the conv_id (copy task, call process).</summary>
    public string? Alias { get; set; }
    /// <summary>active or paused; only read on import, the state lives with the process afterwards.</summary>
    public string? Status { get; set; }
    /// <summary>process (the default) or state: a state diagram, whose tasks are long-lived and kept by ref (<see cref="ProcessKinds"/>).</summary>
    public string? Kind { get; set; }
    public ProcessSettings? Settings { get; set; }
    /// <summary>Cron schedules that create a task with given data (every Monday 09:00 Europe/Moscow, say).</summary>
    public List<ScheduleDefinition>? Schedules { get; set; }
    /// <summary>Corezoid's process parameters: what a task brings (input) and what the process gives back (output).</summary>
    public List<ProcessParameter>? Params { get; set; }
    public List<NodeDefinition> Nodes { get; set; } = [];
    /// <summary>
    /// What the Corezoid importer changed or could not convert, per node (null node id: the process).
    /// Only the imported version carries them: the designer marks those nodes until a new version is saved.
    /// </summary>
    public List<Import.ImportIssue>? ImportNotes { get; set; }
}

/// <summary>What a process is: an ordinary process, or a state diagram (Corezoid's conv_type).</summary>
public static class ProcessKinds
{
    public const string Process = "process";
    /// <summary>A state diagram: every task has a ref, and other processes read it as {{conv[ID].ref[REF]}}.</summary>
    public const string State = "state";
    public static readonly string[] All = [Process, State];

    public static bool IsState(ProcessDefinition definition) => definition.Kind == State;
}

/// <summary>
/// One process parameter. A <see cref="Required"/> <see cref="Input"/> missing from a new task's data
/// (absent or null) refuses the create with a per-op error naming it.
/// </summary>
public sealed class ProcessParameter
{
    public static readonly string[] Types = ["string", "number", "boolean", "object", "array"];

    public string Name { get; set; } = "";
    /// <summary>string, number, boolean, object or array.</summary>
    public string Type { get; set; } = "string";
    public string? Description { get; set; }
    public bool Required { get; set; }
    public bool Input { get; set; }
    public bool Output { get; set; }

    /// <summary>The first required input the data lacks, or null when it has them all.</summary>
    public static ProcessParameter? FirstMissing(IEnumerable<ProcessParameter>? parameters, System.Text.Json.Nodes.JsonObject data) =>
        parameters?.FirstOrDefault(p => p.Required && p.Input && data[p.Name] is null);
}

public sealed class ScheduleDefinition
{
    /// <summary>Quartz cron: seconds minutes hours day-of-month month day-of-week [year], e.g. "0 0 9 ? * MON".</summary>
    public string Cron { get; set; } = "";
    /// <summary>IANA time zone the cron is read in; UTC when left out.</summary>
    public string? TimeZone { get; set; }
    /// <summary>The data of each task the schedule creates.</summary>
    public System.Text.Json.Nodes.JsonObject? Data { get; set; }
}

/// <summary>Corezoid's "count semaphor": escalate when more than Max tasks sit in the node, and again when they drop back.</summary>
public sealed class CountLimitDefinition
{
    public int Max { get; set; }
    /// <summary>The process (conv_id or @alias) that receives the escalation task.</summary>
    public string ConvId { get; set; } = "";
}

public sealed class ProcessSettings
{
    /// <summary>How many times a task may enter one node before it is stopped (Corezoid: 50).</summary>
    public int? LoopLimit { get; set; }
    /// <summary>Largest task data, in bytes of JSON.</summary>
    public int? TaskSizeLimit { get; set; }
    /// <summary>How long finished tasks are kept (hours) before they are archived and pruned.</summary>
    public double? RetentionHours { get; set; }
}

public sealed class NodeDefinition
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public string? Title { get; set; }
    public string? Description { get; set; }
    public double X { get; set; }
    public double Y { get; set; }
    /// <summary>The node type's parameters, as described by its schema in the node catalog.</summary>
    public JsonObject Params { get; set; } = [];
    /// <summary>Exit name to the id of the node it leads to (next, error, timeout, a condition rule, default).</summary>
    public Dictionary<string, string> Exits { get; set; } = [];
    /// <summary>Optional: escalate when too many tasks sit in this node.</summary>
    public CountLimitDefinition? CountLimit { get; set; }
    /// <summary>Optional: a task still in this node after the limit leaves by the node's <c>timeout</c> exit.</summary>
    public TimeLimitDefinition? TimeLimit { get; set; }
}

/// <summary>
/// Corezoid's time semaphor, on any node: after <see cref="Seconds"/> in the node, or at the unix time
/// <see cref="Until"/> gives (a template such as <c>{{call_at}}</c>), a task still there leaves by the
/// <c>timeout</c> exit; an API call still waiting for its answer is abandoned.
/// </summary>
public sealed class TimeLimitDefinition
{
    public double? Seconds { get; set; }
    public string? Until { get; set; }

    public const double MaxSeconds = 365 * 86400;

    /// <summary>When a task that entered the node at <paramref name="now"/> must leave it.</summary>
    /// <exception cref="Templates.TemplateException">Until does not give a time.</exception>
    public DateTimeOffset Deadline(Templates.TemplateScope scope, DateTimeOffset now) =>
        Seconds is { } seconds ? now.AddSeconds(seconds) : Templates.TemplateFunctions.ParseTime(Templates.Template.Parse(Until ?? "").RenderString(scope));
}

public static class DefinitionJson
{
    /// <summary>Snake case everywhere: the file format, the APIs and the designer speak the same names.</summary>
    public static readonly JsonSerializerOptions Options = Create();

    static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            MaxDepth = 64,
            Converters = { new DataObjectConverter() },
        };
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static ProcessDefinition Parse(string json) =>
        JsonSerializer.Deserialize<ProcessDefinition>(json, Options) ?? throw new JsonException("The definition is null.");

    public static string Write(ProcessDefinition definition, bool indented = true) =>
        JsonSerializer.Serialize(definition, indented ? Indented : Options);

    static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}

/// <summary>
/// Objects inside a definition (params, data) keep their keys exactly: data keys are case-sensitive
/// ({"x":1,"X":2} holds two keys, as in Corezoid and JavaScript). The web defaults would read them
/// into a case-insensitive object, which cannot hold both and made such a stored definition unreadable.
/// </summary>
sealed class DataObjectConverter : JsonConverter<JsonObject>
{
    static readonly JsonNodeOptions Exact = new() { PropertyNameCaseInsensitive = false };

    public override JsonObject Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonNode.Parse(ref reader, Exact) as JsonObject ?? throw new JsonException("must be a JSON object");

    public override void Write(Utf8JsonWriter writer, JsonObject value, JsonSerializerOptions options) => value.WriteTo(writer, options);
}
