using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Workflows.Connectors.Credentials;

/// <summary>Management endpoints of the credential store. Secrets go in, never out.</summary>
public static class CredentialsApi
{
    static readonly System.Text.RegularExpressions.Regex NamePattern = new("^[A-Za-z0-9_.-]{1,100}$", System.Text.RegularExpressions.RegexOptions.Compiled);

    public static IEndpointRouteBuilder MapCredentialsApi(this IEndpointRouteBuilder app)
    {
        // Credentials are for admins only (the policy is defined by the server).
        var api = app.MapGroup("/api/credentials").WithTags("Credentials").RequireAuthorization("admin");

        api.MapGet("", async (CredentialStore store, CancellationToken cancel) =>
            Results.Json((await store.ListAsync(cancel)).Select(c => new { name = c.Name, kind = c.Kind, updated_at = c.UpdatedAt.ToString("O") })))
            .WithSummary("Names and kinds of the stored credentials (never their secrets)");

        api.MapPut("/{name}", async (string name, HttpRequest request, CredentialStore store, CancellationToken cancel) =>
        {
            if (!NamePattern.IsMatch(name)) return Results.Problem(title: "Bad request", detail: "a credential name is 1-100 letters, digits, '_', '.' or '-'", statusCode: 400);
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancel);
            var (node, unreadable) = Workflows.Engine.Security.JsonInput.Parse(buffer.ToArray(), Workflows.Engine.Security.JsonInput.Strict);
            if (unreadable is not null) return Results.Problem(title: "The request body is not readable JSON", detail: unreadable, statusCode: 400);
            if (node is not JsonObject body) return Results.Problem(title: "Bad request", detail: "the body must be a JSON object {kind, fields}", statusCode: 400);
            var kind = body["kind"] is JsonValue k && k.TryGetValue(out string? ks) ? ks : null;
            if (string.IsNullOrWhiteSpace(kind)) return Results.Problem(title: "Bad request", detail: "kind is required", statusCode: 400);
            if (body["fields"] is not JsonObject fields) return Results.Problem(title: "Bad request", detail: "fields must be an object of name: value", statusCode: 400);
            var existed = await store.GetAsync(name, cancel) is not null;
            await store.PutAsync(new Credential(name, kind.Trim(), CredentialStore.FieldsOf(fields)), cancel);
            return Results.Json(new { name, kind = kind.Trim(), fields = fields.Select(f => f.Key).ToArray() }, statusCode: existed ? 200 : 201);
        }).WithSummary("Creates or replaces a credential (rotation = put again)");

        api.MapDelete("/{name}", async (string name, CredentialStore store, CancellationToken cancel) =>
            await store.DeleteAsync(name, cancel)
                ? Results.NoContent()
                : Results.Problem(title: "Not found", detail: $"credential '{name}' does not exist", statusCode: 404))
            .WithSummary("Deletes a credential");
        return app;
    }
}
