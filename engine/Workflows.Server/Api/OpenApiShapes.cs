using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Workflows.Server.Api;

/// <summary>
/// Makes /openapi/v1.json say what the server writes, so the designer's types can be generated from
/// it: numbers are numbers (the JSON options also read numbers given as strings, which the default
/// schema advertises as "integer or string"), a JsonObject holds any properties, and the document
/// names no server (the designer and scripts call the origin they came from).
/// </summary>
public static class OpenApiShapes
{
    public static void Configure(OpenApiOptions options)
    {
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (schema.Type is { } type && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)) && type.HasFlag(JsonSchemaType.String))
            {
                schema.Type = type & ~JsonSchemaType.String;
                schema.Pattern = null;
            }
            if (context.JsonTypeInfo.Type == typeof(JsonObject)) schema.AdditionalProperties = new OpenApiSchema();
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers = [];
            return Task.CompletedTask;
        });
    }
}
