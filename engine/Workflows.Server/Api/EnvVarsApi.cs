using System.Text.Json.Nodes;
using Workflows.Engine.Runtime;
using Workflows.Engine.Variables;
using Workflows.Server.Auth;

namespace Workflows.Server.Api;

/// <summary>Environment variables ({{env_var[@name]}}): list, set, delete. A secret's value is never in an answer.</summary>
public static class EnvVarsApi
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api/env").WithTags("Management API").RequireViewerToReadEditorToChange().RequireRateLimiting(PublicApi.UserRateLimitPolicy);

        api.MapGet("", (EnvironmentVariables env) => Results.Json(env.All.Select(EnvVarInfo.Of).ToList()))
            .Produces<IReadOnlyList<EnvVarInfo>>().WithSummary("The environment variables; secret ones without their value");

        api.MapPut("/{name}", async (string name, HttpRequest request, EnvironmentVariables env) =>
        {
            var (body, problem) = await Json.ReadObject(request);
            if (problem is not null) return problem;
            if (body!["value"] is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
                return Problems.BadRequest("value must be a string");
            if (body["secret"] is { } s && (s is not JsonValue sv || sv.GetValueKind() is not (System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)))
                return Problems.BadRequest("secret must be true or false");
            try { return Results.Json(EnvVarInfo.Of(await env.SetAsync(name, value.GetValue<string>(), (bool?)body["secret"] ?? false))); }
            catch (EngineException e) { return Problems.From(e); }
        }).Produces<EnvVarInfo>().WithSummary("Creates or replaces a variable: {\"value\": \"…\", \"secret\": false}");

        api.MapDelete("/{name}", async (string name, EnvironmentVariables env) =>
            await env.DeleteAsync(name) ? Results.NoContent() : Problems.From(EngineException.NotFound($"no environment variable '{name}'")));
    }
}
