using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;

namespace Workflows.Server.Api;

static class Json
{
    /// <summary>Reads a process definition from the body; null with a problem result when it cannot.</summary>
    public static async Task<(ProcessDefinition? Definition, IResult? Problem)> ReadDefinition(HttpRequest request)
    {
        try
        {
            var definition = await JsonSerializer.DeserializeAsync<ProcessDefinition>(request.Body, DefinitionJson.Options, request.HttpContext.RequestAborted);
            return definition is null ? (null, Problems.BadRequest("the body must be a process definition object")) : (definition, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadJson(e));
        }
        catch (InvalidOperationException)
        {
            return (null, Problems.BadRequest(BadUnicode));
        }
    }

    public static async Task<(JsonObject? Body, IResult? Problem)> ReadObject(HttpRequest request)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }, cancellationToken: request.HttpContext.RequestAborted);
            if (!IsWellFormedText(node)) return (null, Problems.BadRequest(BadUnicode));
            return node is JsonObject o ? (o, null) : (null, Problems.BadRequest("the body must be a JSON object"));
        }
        catch (JsonException e)
        {
            return (null, Problems.BadJson(e));
        }
    }

    public const string BadUnicode = "the body holds a \\u escape that is not valid Unicode (a lone surrogate)";

    /// <summary>
    /// JSON may escape a lone UTF-16 surrogate ("\ud800") that no text can hold; System.Text.Json only
    /// notices when the string is read. Reading the whole body once here turns that into a 400.
    /// </summary>
    public static bool IsWellFormedText(JsonNode? node)
    {
        try
        {
            _ = node?.ToJsonString();
            return true;
        }
        catch (InvalidOperationException) { return false; }
    }

    public static string Iso(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("O");
}
