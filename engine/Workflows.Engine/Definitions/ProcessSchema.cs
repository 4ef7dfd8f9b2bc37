using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Nodes;

namespace Workflows.Engine.Definitions;

/// <summary>
/// The JSON Schema of a process file (docs/process.schema.json), generated from the node catalog and
/// <see cref="ProcessLimits"/>: one branch per node type with its parameters (kind, required, default,
/// range, options) and exits. The committed file is checked against this by a test; to regenerate it run
/// <c>WORKFLOWS_WRITE_SCHEMA=1 dotnet test tests/Workflows.Tests --filter SchemaFileTests</c>.
/// </summary>
public static class ProcessSchema
{
    public static JsonObject Generate(NodeCatalog catalog)
    {
        var types = catalog.All.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://workflows.dev/schemas/process.schema.json",
            ["title"] = "Workflows process definition",
            ["description"] = "The JSON file of one process (docs/process-format.md). Property names are snake_case. The engine also accepts comments, trailing commas and numbers written as strings, and ignores unknown properties (including unknown params). Graph rules (one start node, exits that lead to existing nodes, every node reachable) are checked by the engine's validator only. Generated from the node catalog: do not edit by hand.",
            ["type"] = "object",
            ["required"] = new JsonArray("title", "nodes"),
            ["properties"] = new JsonObject
            {
                ["conv_id"] = new JsonObject { ["description"] = "Process id. Left out on create, the engine picks the next free id (at least 1001).", ["$ref"] = "#/$defs/positive_integer" },
                ["title"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = ProcessLimits.TitleMaxLength, ["pattern"] = "\\S" },
                ["description"] = Nullable("string"),
                ["alias"] = new JsonObject
                {
                    ["description"] = "Short name other processes may use instead of conv_id (copy_task, call_process). Unique, compared case-insensitively.",
                    ["type"] = new JsonArray("string", "null"), ["pattern"] = ProcessLimits.NamePattern,
                },
                ["status"] = new JsonObject { ["description"] = "Only read when the process is created; afterwards the state is changed with pause/resume.", ["enum"] = new JsonArray(Runtime.ProcessStatuses.Active, Runtime.ProcessStatuses.Paused, null) },
                ["kind"] = new JsonObject
                {
                    ["description"] = "process (the default) or state: a state diagram, whose tasks are long-lived, each created with a ref, and read by other processes as {{conv[ID].ref[REF].field}}.",
                    ["enum"] = new JsonArray([.. ProcessKinds.All.Select(k => (JsonNode?)JsonValue.Create(k)), null]),
                },
                ["settings"] = new JsonObject
                {
                    ["type"] = new JsonArray("object", "null"),
                    ["properties"] = new JsonObject
                    {
                        ["loop_limit"] = Bounded("How many times one task may enter one node. Default 50 (engine option LoopLimit).", "integer", ProcessLimits.LoopLimitMin, ProcessLimits.LoopLimitMax),
                        ["task_size_limit"] = Bounded("Largest task data in bytes of compact JSON. Default 128000 (engine option TaskSizeLimit).", "integer", ProcessLimits.TaskSizeLimitMin, ProcessLimits.TaskSizeLimitMax),
                        ["retention_hours"] = Bounded("How long finished tasks are kept before they are archived and pruned. Default 24 (engine option RetentionHours).", "number", ProcessLimits.RetentionHoursMin, ProcessLimits.RetentionHoursMax),
                    },
                },
                ["nodes"] = new JsonObject { ["description"] = "Exactly one start node; every node reachable from it.", ["type"] = "array", ["minItems"] = 1, ["items"] = Ref("node") },
                ["schedules"] = new JsonObject
                {
                    ["description"] = "Cron schedules that start a task with the given data (Quartz cron with seconds, in time_zone or UTC).",
                    ["anyOf"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "array",
                        ["items"] = new JsonObject
                        {
                            ["type"] = "object",
                            ["required"] = new JsonArray("cron"),
                            ["properties"] = new JsonObject
                            {
                                ["cron"] = new JsonObject { ["type"] = "string", ["description"] = "seconds minutes hours day-of-month month day-of-week [year], e.g. \"0 0 9 ? * MON\"" },
                                ["time_zone"] = new JsonObject { ["type"] = new JsonArray("string", "null"), ["description"] = "IANA zone, e.g. Europe/Moscow" },
                                ["data"] = Nullable("object"),
                            },
                        },
                    }, new JsonObject { ["type"] = "null" }),
                },
                ["import_notes"] = new JsonObject
                {
                    ["description"] = "Written by the Corezoid import: what it changed or could not convert, per node (node_id null: the process). The designer marks those nodes; a version saved from the designer has none.",
                    ["type"] = new JsonArray("array", "null"),
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["required"] = new JsonArray("what"),
                        ["properties"] = new JsonObject
                        {
                            ["node_id"] = Nullable("string"),
                            ["node_title"] = Nullable("string"),
                            ["what"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 },
                            ["why"] = Nullable("string"),
                            ["not_convertible"] = new JsonObject { ["type"] = "boolean", ["description"] = "The Corezoid action has no counterpart here: the node stands in as a no-op until rebuilt." },
                        },
                    },
                },
            },
            ["$defs"] = new JsonObject
            {
                ["positive_integer"] = new JsonObject
                {
                    ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer", ["minimum"] = 1 }, new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]*[1-9][0-9]*$" }, new JsonObject { ["type"] = "null" }),
                },
                ["text"] = new JsonObject { ["description"] = "A string. Numbers and booleans are accepted too and read as their JSON text.", ["type"] = new JsonArray("string", "number", "boolean") },
                ["required_text"] = new JsonObject
                {
                    ["description"] = "A string that is not empty or blank (numbers and booleans are read as their JSON text).",
                    ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "string", ["pattern"] = "\\S" }, new JsonObject { ["type"] = new JsonArray("number", "boolean") }),
                },
                ["numeric_text"] = new JsonObject { ["description"] = "A number written as a string.", ["type"] = "string", ["pattern"] = "^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$" },
                ["number"] = new JsonObject { ["description"] = "A number, or a string holding a number.", ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "number" }, Ref("numeric_text")) },
                ["key_value"] = new JsonObject
                {
                    ["description"] = "An object of key: value. String values are templates ({{path}}, $.function()); other JSON values are used as they are (strings inside objects and arrays are templates too). Keys must not be blank.",
                    ["type"] = "object", ["propertyNames"] = new JsonObject { ["pattern"] = "\\S" },
                },
                ["rules"] = Rules(),
                ["exits"] = new JsonObject
                {
                    ["description"] = "Exit name to the id of the node it leads to.",
                    ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string", ["pattern"] = ProcessLimits.NamePattern },
                },
                ["node"] = Node(types),
            },
        };
    }

    /// <summary>The schema as the committed file holds it: indented, ending with a newline.</summary>
    public static string Text(NodeCatalog catalog) =>
        Generate(catalog).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    static JsonObject Node(IReadOnlyList<NodeType> types)
    {
        var branches = new JsonArray();
        foreach (var type in types) branches.Add(Branch(type.Description));
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("id", "type"),
            ["properties"] = new JsonObject
            {
                ["id"] = new JsonObject { ["type"] = "string", ["pattern"] = ProcessLimits.NamePattern },
                ["type"] = new JsonObject
                {
                    ["type"] = "string", ["minLength"] = 1,
                    ["description"] = $"A node type of the catalog (GET /api/catalog): {string.Join(", ", types.Select(t => t.Name))}. Types of plug-in connectors are accepted too.",
                },
                ["title"] = Nullable("string"),
                ["description"] = Nullable("string"),
                ["x"] = Ref("number"),
                ["y"] = Ref("number"),
                ["params"] = Nullable("object"),
                ["exits"] = new JsonObject { ["anyOf"] = new JsonArray(Ref("exits"), new JsonObject { ["type"] = "null" }) },
                ["count_limit"] = new JsonObject
                {
                    ["description"] = "Corezoid's count semaphor: when more than max tasks sit in this node, a task is sent to the process conv_id (number or @alias) with the count, and again when they drop back.",
                    ["anyOf"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "object",
                        ["required"] = new JsonArray("max", "conv_id"),
                        ["properties"] = new JsonObject
                        {
                            ["max"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
                            ["conv_id"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 },
                        },
                    }, new JsonObject { ["type"] = "null" }),
                },
            },
            ["allOf"] = branches,
        };
    }

    /// <summary>The if/then branch of one node type: its params and its exits.</summary>
    static JsonObject Branch(NodeDescription d)
    {
        var then = new JsonObject();
        var required = new JsonArray();
        var properties = new JsonObject();
        var paramsSchema = new JsonObject();
        if (d.Parameters.Count == 0) paramsSchema["description"] = $"A {d.Type} node has no parameters.";
        else
        {
            var props = new JsonObject();
            var requiredParams = new JsonArray();
            foreach (var p in d.Parameters)
            {
                props[p.Name] = Param(p);
                // A required parameter with a default may be left out: the default fills it.
                if (p.Required && p.Default is null) requiredParams.Add(p.Name);
            }
            paramsSchema["type"] = "object";
            if (requiredParams.Count > 0)
            {
                paramsSchema["required"] = requiredParams;
                required.Add("params");
            }
            paramsSchema["properties"] = props;
            if (d.ParamsRule is not null)
                foreach (var (key, value) in d.ParamsRule) paramsSchema[key] = value?.DeepClone();
        }
        properties["params"] = paramsSchema;

        var exits = new JsonObject();
        if (d.Exits.Count == 0 && !d.ExitsFromParams) exits["maxProperties"] = 0;
        else
        {
            var requiredExits = new JsonArray();
            foreach (var e in d.Exits.Where(e => e.Required)) requiredExits.Add(e.Name);
            if (requiredExits.Count > 0)
            {
                exits["required"] = requiredExits;
                required.Add("exits");
            }
            if (d.ExitsFromParams) exits["description"] = $"{string.Join(", ", d.Exits.Select(e => e.Name + (e.Required ? " (required)" : "")))}, plus one exit per rule, named by the rule.";
            else exits["propertyNames"] = new JsonObject { ["enum"] = new JsonArray([.. d.Exits.Select(e => (JsonNode)e.Name)]) };
        }
        properties["exits"] = exits;
        if (required.Count > 0) then["required"] = required;
        then["properties"] = properties;
        return new JsonObject
        {
            ["if"] = new JsonObject { ["properties"] = new JsonObject { ["type"] = new JsonObject { ["const"] = d.Type } } },
            ["then"] = then,
        };
    }

    static JsonObject Param(ParamSpec p)
    {
        var s = new JsonObject();
        var description = p.Help is null ? p.Label : $"{p.Label}. {p.Help}";
        s["description"] = description;
        switch (p.Kind)
        {
            case ParamKind.String or ParamKind.Template or ParamKind.Code:
                s["$ref"] = p.Required ? "#/$defs/required_text" : "#/$defs/text";
                break;
            case ParamKind.Number or ParamKind.Integer:
                var number = new JsonObject { ["type"] = p.Kind == ParamKind.Integer ? "integer" : "number" };
                if (p.Min is { } min) number["minimum"] = min;
                if (p.Max is { } max) number["maximum"] = max;
                s["anyOf"] = new JsonArray(number, Ref("numeric_text"));
                break;
            case ParamKind.Boolean:
                s["type"] = "boolean";
                break;
            case ParamKind.Select:
                var options = p.Options ?? [];
                s["anyOf"] = new JsonArray(
                    new JsonObject { ["enum"] = new JsonArray([.. options.Select(o => (JsonNode)o)]) },
                    new JsonObject { ["type"] = "string", ["pattern"] = $"^\\s*({string.Join("|", options.Select(AnyCase))})\\s*$" });
                s["description"] = description + " Letter case is ignored.";
                break;
            case ParamKind.KeyValue:
                s["$ref"] = "#/$defs/key_value";
                break;
            case ParamKind.Rules:
                s["$ref"] = "#/$defs/rules";
                break;
            case ParamKind.Json:
                break;
        }
        if (p.Default is not null) s["default"] = p.Default.DeepClone();
        return s;
    }

    /// <summary>A regex matching the text in any letter case (JSON Schema patterns take no flags).</summary>
    static string AnyCase(string text)
    {
        var b = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetter(c) && char.ToUpperInvariant(c) != char.ToLowerInvariant(c)) b.Append('[').Append(char.ToUpperInvariant(c)).Append(char.ToLowerInvariant(c)).Append(']');
            else if (char.IsLetterOrDigit(c) || c is '_' or '-' or ' ') b.Append(c);
            else b.Append('\\').Append(c);
        }
        return b.ToString();
    }

    /// <summary>A condition node's rules: the functions and casts come from <see cref="ConditionFunctions"/>.</summary>
    static JsonObject Rules() => new()
    {
        ["description"] = "Ordered; the first rule that holds picks its exit, none holds: default. Rule exits must be unique and must not be default or error.",
        ["type"] = "array",
        ["items"] = new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("exit"),
            ["properties"] = new JsonObject
            {
                ["exit"] = new JsonObject { ["type"] = "string", ["pattern"] = "\\S", ["not"] = new JsonObject { ["enum"] = new JsonArray(Exits.Default, Exits.Error) } },
                ["js"] = new JsonObject { ["description"] = "A JavaScript expression; truthy means the rule holds. When present, conditions are ignored.", ["type"] = "string" },
                ["conditions"] = new JsonObject
                {
                    ["description"] = "All must hold.",
                    ["type"] = "array",
                    ["minItems"] = 1,
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["required"] = new JsonArray("param"),
                        ["properties"] = new JsonObject
                        {
                            ["param"] = new JsonObject { ["description"] = "A data path; may be written as {{path}}. root.* reads the task's root fields.", ["type"] = "string", ["pattern"] = "\\S" },
                            ["fun"] = new JsonObject { ["enum"] = new JsonArray([.. ConditionFunctions.Names.Select(n => (JsonNode)n)]), ["default"] = ConditionFunctions.Names[0] },
                            ["const"] = new JsonObject { ["description"] = "Compared value; its text is a template. Left out: empty text." },
                            ["cast"] = new JsonObject { ["enum"] = new JsonArray([.. ConditionFunctions.Casts.Select(n => (JsonNode)n)]), ["default"] = ConditionFunctions.Casts[0] },
                        },
                    },
                },
            },
            ["anyOf"] = new JsonArray(
                new JsonObject { ["required"] = new JsonArray("js"), ["properties"] = new JsonObject { ["js"] = new JsonObject { ["type"] = "string" } } },
                new JsonObject { ["required"] = new JsonArray("conditions") }),
        },
    };

    static JsonObject Ref(string name) => new() { ["$ref"] = $"#/$defs/{name}" };

    static JsonObject Nullable(string type) => new() { ["type"] = new JsonArray(type, "null") };

    static JsonObject Bounded(string description, string type, double min, double max) => new()
    {
        ["description"] = description,
        ["anyOf"] = new JsonArray(new JsonObject { ["type"] = type, ["minimum"] = min, ["maximum"] = max }, new JsonObject { ["type"] = "null" }),
    };
}
