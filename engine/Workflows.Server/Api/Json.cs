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
    }

    public static async Task<(JsonObject? Body, IResult? Problem)> ReadObject(HttpRequest request)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }, cancellationToken: request.HttpContext.RequestAborted);
            return node is JsonObject o ? (o, null) : (null, Problems.BadRequest("the body must be a JSON object"));
        }
        catch (JsonException e)
        {
            return (null, Problems.BadJson(e));
        }
    }

    public static string Iso(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("O");
}
