using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Workflows.Engine.Definitions;
using Workflows.Engine.Security;

namespace Workflows.Server.Api;

/// <summary>A body refused before anything read it: the HTTP status and what was wrong.</summary>
public sealed record BodyRefusal(int Status, string Description);

/// <summary>
/// Reading request bodies, the same way on every surface: the whole body is read and checked
/// (<see cref="JsonInput"/>) before any of it is used, so a body that cannot be read is refused
/// whole and nothing it holds is stored.
/// </summary>
static class Json
{
    /// <summary>The raw body, within <paramref name="limit"/> bytes (the server's own limit when null).</summary>
    public static async Task<(byte[]? Bytes, BodyRefusal? Refused)> ReadBytes(HttpRequest request, long? limit = null)
    {
        var size = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        var max = limit ?? size?.MaxRequestBodySize;
        // A declared length over the limit is answered at once (Kestrel drains the body within its own
        // limit, so the client still reads the answer); a body without a length is cut at the limit.
        if (request.ContentLength > max) return (null, new(StatusCodes.Status413PayloadTooLarge, $"the body is {request.ContentLength} bytes; the limit is {max}"));
        if (limit is not null && size is { IsReadOnly: false }) size.MaxRequestBodySize = limit;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            return (buffer.ToArray(), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, new(StatusCodes.Status413PayloadTooLarge, $"the body is larger than the limit of {max} bytes"));
        }
    }

    /// <summary>A checked JSON body (strict JSON unless told otherwise).</summary>
    public static async Task<(JsonNode? Body, BodyRefusal? Refused)> ReadNode(HttpRequest request, long? limit = null, JsonReaderOptions? options = null)
    {
        var (bytes, refused) = await ReadBytes(request, limit);
        if (refused is not null) return (null, refused);
        var (node, problem) = JsonInput.Parse(bytes, options ?? JsonInput.Strict);
        return problem is null ? (node, null) : (null, new(StatusCodes.Status400BadRequest, problem));
    }

    /// <summary>Reads a process definition from the body; null with a problem result when it cannot.</summary>
    public static async Task<(ProcessDefinition? Definition, IResult? Problem)> ReadDefinition(HttpRequest request)
    {
        var (bytes, refused) = await ReadBytes(request);
        if (refused is not null) return (null, Problems.Unreadable(refused));
        if (JsonInput.Problem(bytes, JsonInput.Relaxed) is { } problem) return (null, Problems.Unreadable(new(StatusCodes.Status400BadRequest, problem)));
        try
        {
            var definition = JsonSerializer.Deserialize<ProcessDefinition>(bytes, DefinitionJson.Options);
            return definition is null ? (null, Problems.BadRequest("the body must be a process definition object")) : (definition, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadJson(e));
        }
    }

    public static async Task<(JsonObject? Body, IResult? Problem)> ReadObject(HttpRequest request)
    {
        var (node, refused) = await ReadNode(request);
        if (refused is not null) return (null, Problems.Unreadable(refused));
        return node is JsonObject o ? (o, null) : (null, Problems.BadRequest("the body must be a JSON object"));
    }

    public static string Iso(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("O");
}
