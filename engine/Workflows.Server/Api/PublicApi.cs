using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Runtime;

namespace Workflows.Server.Api;

/// <summary>
/// The Corezoid-compatible public task API: <c>POST /api/1/json/public/{conv_id}/{hash}</c>.
/// Whole-request problems answer <c>request_proc</c> other than ok; each op gets its own answer.
/// </summary>
public static class PublicApi
{
    public const int MaxOps = 1000;

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/{apiVersion:int}/json/public/{convId}/{hash}", Handle)
            .WithTags("Public API").WithSummary("Create or modify tasks of one process (Corezoid-compatible)");
    }

    static async Task<IResult> Handle(int apiVersion, string convId, string hash, HttpRequest request, ProcessRegistry processes, TaskService tasks)
    {
        if (apiVersion is not (1 or 2)) return Answer("error", "API version must be 1 or 2", 404);
        if (!long.TryParse(convId, out var id) || processes.Find(id) is not { } process)
            return Answer("error", $"process {convId} does not exist", 404);
        if (!FixedTimeEquals(hash, process.Row.Hash))
            return Answer("error", "the hash in the URL does not match this process", 403);

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Answer("format_error", $"the body is not readable JSON: {e.Message.Split(" Path:")[0]}");
        }
        if (body is not JsonObject root || root["ops"] is not JsonArray ops)
            return Answer("format_error", "the body must be a JSON object with an \"ops\" array");
        if (ops.Count > MaxOps) return Answer("format_error", $"at most {MaxOps} ops per request, not {ops.Count}");

        // Creates start in order (so the first of two ops with one ref wins) and commit together.
        var answers = ops.Select(op => Op(op, id, tasks, request.HttpContext.RequestAborted)).ToList();
        var results = await Task.WhenAll(answers);
        return Results.Json(new JsonObject { ["request_proc"] = "ok", ["ops"] = new JsonArray(results) });
    }

    static async Task<JsonNode?> Op(JsonNode? node, long convId, TaskService tasks, CancellationToken cancel)
    {
        if (node is not JsonObject op) return OpError(null, "each op must be a JSON object");
        var id = op["id"]?.DeepClone();
        var type = Text(op["type"]);
        var obj = Text(op["obj"]);
        if (obj is not null && obj != "task") return OpError(id, $"obj '{obj}' is not supported; use \"task\"");
        var opConv = op["conv_id"];
        if (opConv is not null && (!long.TryParse(Text(opConv) ?? opConv.ToJsonString(), out var c) || c != convId))
            return OpError(id, $"conv_id {opConv.ToJsonString()} does not match this URL's process {convId}");
        string? reference;
        try { reference = op["ref"] is null ? null : Text(op["ref"]) ?? op["ref"]!.ToJsonString(); }
        catch (InvalidOperationException) { return OpError(id, "ref must be a string"); }
        if (op["data"] is { } d && d is not JsonObject) return OpError(id, "data must be a JSON object");
        var data = op["data"] as JsonObject;

        switch (type)
        {
            case "create":
                data?.Parent?.AsObject().Remove("data");
                var created = await tasks.CreateAsync(convId, reference, data, cancel);
                if (!created.Ok) return OpError(id, created.Description!, created.Proc, reference);
                return Ok(id, reference, created.Task!.ObjId);
            case "modify":
                return OpError(id, "modify reaches tasks waiting in a waiting-for-callback node; this process has none waiting for it", "error", reference);
            case null:
                return OpError(id, "type is required: create or modify");
            default:
                return OpError(id, $"type '{type}' is not supported; use create or modify");
        }
    }

    static JsonObject Ok(JsonNode? id, string? reference, string objId)
    {
        var answer = new JsonObject();
        if (id is not null) answer["id"] = id;
        answer["proc"] = "ok";
        answer["obj"] = "task";
        answer["ref"] = reference;
        answer["obj_id"] = objId;
        return answer;
    }

    static JsonObject OpError(JsonNode? id, string description, string proc = "error", string? reference = null)
    {
        var answer = new JsonObject();
        if (id is not null) answer["id"] = id;
        answer["proc"] = proc;
        answer["obj"] = "task";
        if (reference is not null) answer["ref"] = reference;
        answer["description"] = description;
        return answer;
    }

    static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    static IResult Answer(string requestProc, string description, int status = 200) =>
        Results.Json(new JsonObject { ["request_proc"] = requestProc, ["ops"] = new JsonArray(), ["description"] = description }, statusCode: status);

    static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
