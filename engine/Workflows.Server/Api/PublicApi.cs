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
    public const string RateLimitPolicy = "per-process";
    public const string UserRateLimitPolicy = "per-user";

    public static void Map(WebApplication app)
    {
        var group = app.MapGroup("").RequireRateLimiting(RateLimitPolicy);
        group.MapPost("/api/{apiVersion:int}/json/public/{convId}/{hash}", Handle)
            .WithTags("Public API").WithSummary("Create or modify tasks of one process (Corezoid-compatible)");
        group.MapPost("/webhook/{convId}/{hash}", Webhook)
            .WithTags("Public API").WithSummary("Any JSON object becomes a new task's data; with ?wait=SECONDS the answer carries the ended task");
        group.MapPost("/api/{apiVersion:int}/json/callback/{convId}/{hash}/{nodeId}", Callback)
            .WithTags("Public API").WithSummary("A waiting-for-callback node's own URL: the task is found by the node's id or ref path in the body");
    }

    static async Task<IResult> Handle(int apiVersion, string convId, string hash, HttpRequest request, ProcessRegistry processes, TaskService tasks, TaskWaker waker)
    {
        if (apiVersion is not (1 or 2)) return Answer("error", "API version must be 1 or 2", 404);
        var (process, status, refusal) = await Opened(convId, hash, processes);
        if (process is null) return Answer("error", refusal!, status);
        var id = process.ConvId;

        var (body, refused) = await ReadBody(request);
        if (refused is not null) return refused;
        if (body is not JsonObject root || root["ops"] is not JsonArray ops)
            return Answer("format_error", "the body must be a JSON object with an \"ops\" array");
        if (ops.Count > MaxOps) return Answer("format_error", $"at most {MaxOps} ops per request, not {ops.Count}");

        // Creates start in order (so the first of two ops with one ref wins) and commit together.
        var answers = ops.Select(op => Op(op, id, tasks, waker, request.HttpContext.RequestAborted)).ToList();
        var results = await Task.WhenAll(answers);
        return Results.Json(new JsonObject { ["request_proc"] = "ok", ["ops"] = new JsonArray(results) });
    }

    /// <summary>
    /// One op, answered on its own (docs/public-api.md, "How the ops of one request relate"): whatever
    /// happens in it becomes its own answer, so an op that fails after another op of the request was
    /// stored never turns the whole answer into a 500 that a client would retry.
    /// </summary>
    /// <param name="signed">The signed API (an API user): show, delete and list are allowed too; the public URL only creates and modifies.</param>
    internal static async Task<JsonNode?> Op(JsonNode? node, long convId, TaskService tasks, TaskWaker waker, CancellationToken cancel, bool signed = false)
    {
        try { return await RunOp(node, convId, tasks, waker, signed, cancel); }
        catch (Exception e)
        {
            var id = node is JsonObject o ? o["id"]?.DeepClone() : null;
            return e is OperationCanceledException
                ? OpError(id, "the request was cancelled before this op was answered", "cancelled")
                : OpError(id, $"the op could not be carried out: {e.Message}");
        }
    }

    static async Task<JsonNode?> RunOp(JsonNode? node, long convId, TaskService tasks, TaskWaker waker, bool signed, CancellationToken cancel)
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
        if (op["ref"] is { } r && RefText(r) is null) return OpError(id, "ref must be a string or a number");
        reference = op["ref"] is { } given ? RefText(given) : null;
        if (op["data"] is { } d && d is not JsonObject) return OpError(id, "data must be a JSON object");
        var data = op["data"] as JsonObject;
        op.Remove("data"); // the task takes the object itself; a JSON node has one parent

        switch (type)
        {
            case "show" or "delete" or "list" when !signed:
                return OpError(id, $"type '{type}' needs the signed API (/api/2/json/{{login}}/{{unixtime}}/{{signature}}); the public URL creates and modifies");
            case "show" or "delete":
            {
                var (target, missing) = await FindTask(op, convId, reference, tasks, cancel);
                if (missing is not null) return OpError(id, missing, "obj_id_not_found", reference);
                if (type == "delete")
                {
                    var deleted = await tasks.DeleteAsync(target, convId, cancel);
                    return deleted.Ok ? Ok(id, reference, TaskIds.Format(target)) : OpError(id, deleted.Description!, deleted.Proc, reference);
                }
                if (await tasks.GetAsync(target, cancel) is not { } found || found.Task.ConvId != convId)
                    return OpError(id, $"process {convId} has no task {TaskIds.Format(target)}", "obj_id_not_found", reference);
                var shown = Ok(id, found.Task.Ref, TaskIds.Format(target));
                shown["status"] = found.Task.Status;
                shown["result"] = found.Task.Result;
                shown["node_id"] = found.Task.NodeId;
                shown["data"] = JsonNode.Parse(found.Task.Data);
                shown["create_time"] = found.Task.CreatedAt / 1000;
                shown["change_time"] = found.Task.ChangedAt / 1000;
                if (op["history"] is JsonValue h && h.GetValueKind() == JsonValueKind.True) shown["history"] = new JsonArray(found.History.Select(s => (JsonNode)s.DeepClone()).ToArray());
                return shown;
            }
            case "list":
            {
                if (Text(op["node_id"]) is not { Length: > 0 } nodeId) return OpError(id, "list needs node_id: the tasks in that node are listed");
                var limit = (int)Math.Clamp(op["limit"] is JsonValue l && l.TryGetValue(out int n) ? n : 50, 1, 1000);
                var list = await tasks.ListAsync(convId, nodeId, null, null, limit, cancel: cancel);
                var listed = new JsonObject { ["id"] = id?.DeepClone(), ["proc"] = "ok", ["obj"] = "task", ["node_id"] = nodeId };
                listed["list"] = new JsonArray(list.Select(t => (JsonNode)new JsonObject
                {
                    ["obj_id"] = TaskIds.Format(t.Id), ["ref"] = t.Ref, ["status"] = t.Status, ["data"] = JsonNode.Parse(t.Data),
                    ["create_time"] = t.CreatedAt / 1000, ["change_time"] = t.ChangedAt / 1000,
                }).ToArray());
                return listed;
            }
            case "create":
                var created = await tasks.CreateAsync(convId, reference, data, cancel);
                if (!created.Ok) return OpError(id, created.Description!, "error", reference);
                return Ok(id, reference, created.Task!.ObjId);
            case "modify":
                long taskId;
                var objId = Text(op["obj_id"]);
                if (objId is not null)
                {
                    if (!TaskIds.TryParse(objId, out taskId)) return OpError(id, $"obj_id '{objId}' is not a task id", "obj_id_not_found", reference);
                }
                else if (reference is not null)
                {
                    if (await tasks.ActiveByRefAsync(convId, reference, cancel) is not { } byRef)
                        return OpError(id, $"process {convId} has no active task with ref '{reference}'", "obj_id_not_found", reference);
                    taskId = byRef;
                }
                else return OpError(id, "modify needs the task's ref or obj_id");
                var woken = await waker.CallbackAsync(taskId, data, expectedConvId: convId, cancel: cancel);
                if (!woken.Ok) return OpError(id, woken.Description!, woken.Proc, reference);
                return Ok(id, reference, TaskIds.Format(taskId));
            case null:
                return OpError(id, "type is required: create or modify" + (signed ? " (or show, delete, list)" : ""));
            default:
                return OpError(id, $"type '{type}' is not supported; use create or modify" + (signed ? " (or show, delete, list)" : ""));
        }
    }

    /// <summary>The task an op names by obj_id or by ref (an active task's); the reason when there is none.</summary>
    static async ValueTask<(long TaskId, string? Missing)> FindTask(JsonObject op, long convId, string? reference, TaskService tasks, CancellationToken cancel)
    {
        if (Text(op["obj_id"]) is { } objId)
            return TaskIds.TryParse(objId, out var byId) ? (byId, null) : (0, $"obj_id '{objId}' is not a task id");
        if (reference is null) return (0, "the op needs the task's ref or obj_id");
        return await tasks.ActiveByRefAsync(convId, reference, cancel) is { } byRef ? (byRef, null) : (0, $"process {convId} has no active task with ref '{reference}'");
    }

    /// <summary>
    /// A plain webhook for senders that cannot wrap their body in Corezoid's ops envelope (Shop-Script
    /// notifications, form posts): the JSON body is the task data, ?ref= its ref. With ?wait=SECONDS
    /// (at most 60) the answer waits for the task to end and carries its data; otherwise, or if it is
    /// still going, 202 with the obj_id.
    /// </summary>
    static async Task<IResult> Webhook(string convId, string hash, string? @ref, double? wait, HttpRequest request, ProcessRegistry processes, TaskService tasks)
    {
        var (process, status, refusal) = await Opened(convId, hash, processes);
        if (process is null) return Results.Json(new JsonObject { ["proc"] = "error", ["description"] = refusal }, statusCode: status);
        var id = process.ConvId;
        var limit = request.HttpContext.RequestServices.GetRequiredService<Workflows.Engine.EngineOptions>().PublicMaxBodyBytes;
        var (body, refused) = await Json.ReadNode(request, limit);
        // The webhook answers in its own shape ({proc, description}), not the public API's request_proc.
        if (refused is not null) return Results.Json(new JsonObject { ["proc"] = refused.Status == 413 ? "error" : "format_error", ["description"] = refused.Description }, statusCode: refused.Status);
        if (body is not JsonObject data) return Results.Json(new JsonObject { ["proc"] = "format_error", ["description"] = "the body must be a JSON object" }, statusCode: 400);

        var (outcome, ended) = wait is > 0
            ? await tasks.CreateAndWaitAsync(id, @ref, data, TimeSpan.FromSeconds(Math.Min(wait.Value, 60)), request.HttpContext.RequestAborted)
            : (await tasks.CreateAsync(id, @ref, data, request.HttpContext.RequestAborted), false);
        if (!outcome.Ok) return Results.Json(new JsonObject { ["proc"] = "error", ["description"] = outcome.Description }, statusCode: 409);
        var task = outcome.Task!;
        var answer = new JsonObject { ["proc"] = "ok", ["obj_id"] = task.ObjId, ["ref"] = task.Ref };
        if (!ended) return Results.Json(answer, statusCode: 202);
        answer["status"] = task.Status.Wire();
        answer["result"] = task.Result;
        answer["node_id"] = task.NodeId;
        answer["data"] = task.Data.DeepClone();
        return Results.Json(answer);
    }

    /// <summary>How VoxImplant or a payment gateway reports back: any JSON body, the task found by a path in it.</summary>
    static async Task<IResult> Callback(int apiVersion, string convId, string hash, string nodeId, HttpRequest request, ProcessRegistry processes, TaskService tasks, TaskWaker waker)
    {
        if (apiVersion is not (1 or 2)) return Answer("error", "API version must be 1 or 2", 404);
        var (process, status, refusal) = await Opened(convId, hash, processes);
        if (process is null) return Answer("error", refusal!, status);
        var id = process.ConvId;
        if (process.Latest.Node(nodeId) is not { Type: Workflows.Engine.Nodes.WaitCallbackNode } node)
            return Answer("error", $"process {id} has no waiting-for-callback node '{nodeId}'", 404);
        var (read, refused) = await ReadBody(request);
        if (refused is not null) return refused;
        if (read is not JsonObject body) return Answer("format_error", "the body must be a JSON object");

        var settings = (Workflows.Engine.Nodes.WaitCallbackNode.Prepared)node.Prepared!;
        if (settings.KeyPath is { } keyPath)
        {
            var value = keyPath.Get(body);
            var key = value is null ? null : Workflows.Engine.Templates.Template.AsText(value);
            if (string.IsNullOrEmpty(key)) return Answer("error", $"the body has no wait key at '{keyPath}'");
            var byKey = await waker.CallbackByKeyAsync(id, nodeId, key, body, request.HttpContext.RequestAborted);
            var answer = byKey.Ok ? Ok(null, null, TaskIds.Format(byKey.TaskId)) : OpError(null, byKey.Description!, byKey.Proc);
            return Results.Json(new JsonObject { ["request_proc"] = "ok", ["ops"] = new JsonArray(answer) });
        }
        long taskId;
        if (settings.TaskIdPath is { } idPath)
        {
            var value = idPath.Get(body);
            var text = value is null ? null : Workflows.Engine.Templates.Template.AsText(value);
            if (!TaskIds.TryParse(text, out taskId)) return Answer("error", $"the body has no task id at '{idPath}'");
        }
        else if (settings.RefPath is { } refPath)
        {
            var value = refPath.Get(body);
            var reference = value is null ? null : Workflows.Engine.Templates.Template.AsText(value);
            if (reference is null || await tasks.ActiveByRefAsync(id, reference, request.HttpContext.RequestAborted) is not { } byRef) return Answer("error", $"no active task has the ref found at '{refPath}'");
            taskId = byRef;
        }
        else return Answer("error", $"node '{nodeId}' names no task_id_path, ref_path or key_path to find the task in a callback");

        var woken = await waker.CallbackAsync(taskId, body, expectedNode: nodeId, expectedConvId: id, cancel: request.HttpContext.RequestAborted);
        var op = woken.Ok ? Ok(null, null, TaskIds.Format(taskId)) : OpError(null, woken.Description!, woken.Proc);
        return Results.Json(new JsonObject { ["request_proc"] = "ok", ["ops"] = new JsonArray(op) });
    }

    /// <summary>
    /// Reads the whole body and checks it before any op runs (<see cref="Json.ReadNode"/>): a body that
    /// cannot be read is refused whole with format_error, and nothing it holds is stored.
    /// </summary>
    internal static async Task<(JsonNode? Body, IResult? Refused)> ReadBody(HttpRequest request)
    {
        var limit = request.HttpContext.RequestServices.GetRequiredService<Workflows.Engine.EngineOptions>().PublicMaxBodyBytes;
        var (body, refused) = await Json.ReadNode(request, limit);
        return refused is null ? (body, null) : (null, Refusal(refused));
    }

    /// <summary>The public URLs' answer to a body refused before reading: 413 when too large, else format_error.</summary>
    internal static IResult Refusal(BodyRefusal refused) => refused.Status == StatusCodes.Status413PayloadTooLarge
        ? Answer("error", refused.Description, StatusCodes.Status413PayloadTooLarge)
        : Answer("format_error", refused.Description);

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

    /// <summary>A ref given as a string, or as a number (shop scripts send order numbers), as text.</summary>
    public static string? RefText(JsonNode node) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number ? Workflows.Engine.Templates.Template.AsText(v) : null;

    static IResult Answer(string requestProc, string description, int status = 200) =>
        Results.Json(new JsonObject { ["request_proc"] = requestProc, ["ops"] = new JsonArray(), ["description"] = description }, statusCode: status);

    /// <summary>
    /// The process a public URL names, if its hash opens it: the one check of conv_id and hash for the
    /// public, webhook and callback URLs (404 for no such process, 403 for a wrong hash).
    /// </summary>
    static async ValueTask<(ProcessEntry? Process, int Status, string? Refusal)> Opened(string convId, string hash, ProcessRegistry processes)
    {
        var (process, wrongHash) = await processes.OpenAsync(convId, hash);
        return process is not null ? (process, StatusCodes.Status200OK, null)
            : wrongHash ? (null, StatusCodes.Status403Forbidden, "the hash in the URL does not match this process")
            : (null, StatusCodes.Status404NotFound, $"process {convId} does not exist");
    }
}
