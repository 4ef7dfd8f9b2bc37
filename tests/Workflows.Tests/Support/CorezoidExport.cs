using System.Text.Json.Nodes;

namespace Workflows.Tests.Support;

/// <summary>Writes Corezoid UI exports for tests, in the shape Corezoid exports them (docs/corezoid-import.md).</summary>
public static class CorezoidExport
{
    /// <summary>A process object; <paramref name="objId"/> null leaves obj_id out.</summary>
    public static JsonObject Process(long? objId, string title, params JsonObject[] nodes)
    {
        var process = new JsonObject { ["obj_type"] = 1 };
        if (objId is not null) process["obj_id"] = objId;
        process["title"] = title;
        process["status"] = "active";
        process["conv_type"] = "process";
        process["params"] = new JsonArray();
        process["scheme"] = new JsonObject { ["nodes"] = new JsonArray(nodes.Select(n => (JsonNode)n).ToArray()), ["web_settings"] = new JsonArray(new JsonArray(), new JsonArray()) };
        return process;
    }

    public static JsonObject WithAlias(this JsonObject process, string alias)
    {
        process["alias"] = alias;
        return process;
    }

    public static JsonObject Start(string to) => Node("s", 1, Go(to));

    public static JsonObject Final(string id, bool error = false)
    {
        var node = Node(id, 2);
        node["extra"] = error ? """{"icon":"error"}""" : """{"modeForm":"collapse","icon":"success"}""";
        return node;
    }

    /// <summary>A node (obj_type 0 unless given) with its logics and semaphors; extra and condition as Corezoid writes them.</summary>
    public static JsonObject Node(string id, int objType, params JsonObject[] logics) => Node(id, objType, logics, []);

    public static JsonObject Node(string id, int objType, JsonObject[] logics, JsonObject[] semaphors) => new()
    {
        ["id"] = id,
        ["obj_type"] = objType,
        ["title"] = $"Node {id}",
        ["x"] = 0,
        ["y"] = 0,
        ["extra"] = """{"modeForm":"expand","icon":""}""",
        ["options"] = null,
        ["condition"] = new JsonObject
        {
            ["logics"] = new JsonArray(logics.Select(l => (JsonNode)l).ToArray()),
            ["semaphors"] = new JsonArray(semaphors.Select(l => (JsonNode)l).ToArray()),
        },
    };

    public static JsonObject Go(string to) => new() { ["type"] = "go", ["to_node_id"] = to };

    /// <summary>A logic item parsed from JSON text (its type and fields as in a real export).</summary>
    public static JsonObject Logic(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>
    /// A folder with one process: start, node <c>q</c> with a db_call (Corezoid has it, we cannot convert
    /// it: the node stands in as a no-op), the final <c>f</c> and the error final <c>e</c>.
    /// </summary>
    public static string FolderWithDbCall(string title) => Folder(Process(null, title,
        Start("q"),
        Node("q", 0, Logic("""{"type":"db_call","instance_id":1,"query":"SELECT 1","err_node_id":"e"}"""), Go("f")),
        Final("f"),
        Final("e", error: true)));

    public static string Folder(params JsonObject[] processes) =>
        new JsonArray(new JsonObject
        {
            ["obj_type"] = 0,
            ["title"] = "folder",
            ["list"] = new JsonArray(processes.Select(p => (JsonNode)p).ToArray()),
        }).ToJsonString();
}
