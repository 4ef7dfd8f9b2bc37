using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Workflows.Engine.Nodes;
using Workflows.Engine.Runtime;

namespace Workflows.Connectors.Beeline;

/// <summary>
/// The URL a Beeline event subscription posts to: <c>POST /api/beeline/events/{conv_id}/{hash}/{node_id}</c>.
/// The XSI XML is read into a <see cref="CallEvent"/>; a released call is delivered under "call" to the
/// task waiting in that wait_callback node with the call id as its key (the engine's keyed callback).
/// Received, originated and answered events are acknowledged: the released one carries the outcome.
/// </summary>
public static class CallEventsApi
{
    public const int MaxBodyBytes = 64 * 1024;

    const string Prefix = "/api/beeline/events/";
    const string CallbackPrefix = "/api/1/json/callback/";

    public static string Path(long convId, string hash, string nodeId) => $"{Prefix}{convId}/{hash}/{Uri.EscapeDataString(nodeId)}";

    /// <summary>The event URL of the node whose JSON callback path is given (/api/1/json/callback/{conv_id}/{hash}/{node_id}).</summary>
    public static string FromCallbackPath(string callbackPath) =>
        callbackPath.StartsWith(CallbackPrefix, StringComparison.Ordinal) ? Prefix + callbackPath[CallbackPrefix.Length..]
            : throw new ArgumentException($"not a callback path: {callbackPath}", nameof(callbackPath));

    public static IEndpointRouteBuilder MapBeelineEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/beeline/events/{convId}/{hash}/{nodeId}", Receive)
            .WithTags("Public API").WithSummary("Beeline Cloud PBX call events (BroadWorks XSI XML) for a waiting-for-callback node keyed by call id");
        return app;
    }

    static async Task<IResult> Receive(string convId, string hash, string nodeId, HttpRequest request, ProcessRegistry processes, TaskWaker waker)
    {
        var (process, wrongHash) = await processes.OpenAsync(convId, hash, request.HttpContext.RequestAborted);
        if (process is null)
            return wrongHash ? Answer("error", "the hash in the URL does not match this process", 403) : Answer("error", $"process {convId} does not exist", 404);
        var id = process.ConvId;
        if (process.Latest.Node(nodeId) is not { Type: WaitCallbackNode } node)
            return Answer("error", $"process {id} has no waiting-for-callback node '{nodeId}'", 404);
        if (node.Prepared is not WaitCallbackNode.Prepared { Key: not null })
            return Answer("error", $"node '{nodeId}' has no key param (set key to the call id, e.g. {{{{call_id}}}})", 404);
        if (request.ContentLength > MaxBodyBytes) return Answer("error", $"the body is {request.ContentLength} bytes; the limit is {MaxBodyBytes}", 413);
        var buffer = new char[MaxBodyBytes + 1];
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var read = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted);
        if (read > MaxBodyBytes) return Answer("error", $"the body is larger than the limit of {MaxBodyBytes} bytes", 413);
        var (ev, problem) = CallEvent.Parse(new string(buffer, 0, read));
        if (ev is null) return Answer("format_error", problem!, 400);
        var answer = new JsonObject { ["proc"] = "ok", ["event"] = ev.Type, ["call_id"] = ev.CallId };
        if (!ev.Released)
        {
            answer["delivered"] = false;
            return Results.Json(answer);
        }
        var woken = await waker.CallbackByKeyAsync(id, nodeId, ev.CallId, new JsonObject { ["call"] = ev.ToJson() }, request.HttpContext.RequestAborted);
        answer["delivered"] = woken.Ok;
        if (woken.Ok) answer["obj_id"] = TaskIds.Format(woken.TaskId);
        else
        {
            answer["proc"] = woken.Proc;
            answer["description"] = woken.Description;
        }
        return Results.Json(answer);
    }

    static IResult Answer(string proc, string description, int status) =>
        Results.Json(new JsonObject { ["proc"] = proc, ["description"] = description }, statusCode: status);
}
