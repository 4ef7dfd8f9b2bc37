using System.Text.Json;
using Workflows.Connectors.Common;
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
        {
            var list = new List<object>();
            foreach (var c in await store.ListAsync(cancel))
            {
                var stored = await store.GetAsync(c.Name, cancel);
                var kind = CredentialKinds.Find(c.Kind);
                list.Add(new
                {
                    name = c.Name, kind = c.Kind, updated_at = c.UpdatedAt.ToString("O"),
                    // Which fields are set, and the values of those that are not secret (a URL, a login).
                    fields = stored?.Fields.Where(f => !string.IsNullOrEmpty(f.Value)).Select(f => f.Key).Order(StringComparer.Ordinal).ToArray() ?? [],
                    values = stored?.Fields.Where(f => kind is not null && !kind.IsSecret(f.Key)).ToDictionary(f => f.Key, f => f.Value) ?? [],
                });
            }
            return Results.Json(list);
        }).WithSummary("The stored credentials: name, kind, which fields are set and the values of the fields that are not secret (never a secret)");

        // What editors may see to pick a credential in a node: names and kinds, nothing else.
        app.MapGet("/api/credential-names", async (CredentialStore store, CancellationToken cancel) =>
            Results.Json((await store.ListAsync(cancel)).Select(c => new { name = c.Name, kind = c.Kind })))
            .WithTags("Credentials").RequireAuthorization("viewer").WithSummary("Names and kinds of the stored credentials, for a node's credential list");

        app.MapGet("/api/credential-kinds", () => Results.Json(CredentialKinds.All.Select(k => new
        {
            kind = k.Name, title = k.Title, testable = k.Test is not null,
            fields = k.Fields.Select(f => new { name = f.Name, label = f.Label, secret = f.Secret, help = f.Help }),
        }))).WithTags("Credentials").RequireAuthorization("viewer").WithSummary("The kinds of credential the connectors read, with their fields (secret ones are write-only)");

        api.MapPut("/{name}", async (string name, HttpRequest request, CredentialStore store, CancellationToken cancel) =>
        {
            if (!NamePattern.IsMatch(name)) return Results.Problem(title: "Bad request", detail: "a credential name is 1-100 letters, digits, '_', '.' or '-'", statusCode: 400);
            var (body, problem) = await ReadObject(request, cancel);
            if (problem is not null) return problem;
            var kind = body!["kind"] is JsonValue k && k.TryGetValue(out string? ks) ? ks : null;
            if (string.IsNullOrWhiteSpace(kind)) return Results.Problem(title: "Bad request", detail: "kind is required", statusCode: 400);
            if (body["fields"] is not JsonObject fields) return Results.Problem(title: "Bad request", detail: "fields must be an object of name: value", statusCode: 400);
            var existed = await store.GetAsync(name, cancel) is not null;
            await store.PutAsync(new Credential(name, kind.Trim(), CredentialStore.FieldsOf(fields)), cancel);
            return Results.Json(new { name, kind = kind.Trim(), fields = fields.Select(f => f.Key).ToArray() }, statusCode: existed ? 200 : 201);
        }).WithSummary("Creates or replaces a credential (rotation = put again)");

        api.MapPatch("/{name}", async (string name, HttpRequest request, CredentialStore store, CancellationToken cancel) =>
        {
            var (body, problem) = await ReadObject(request, cancel);
            if (problem is not null) return problem;
            if (await store.GetAsync(name, cancel) is not { } stored) return NotFound(name);
            if (body!["fields"] is not JsonObject fields) return Results.Problem(title: "Bad request", detail: "fields must be an object of name: value (null removes a field)", statusCode: 400);
            var kept = new Dictionary<string, string>(stored.Fields, StringComparer.Ordinal);
            foreach (var (key, value) in fields)
                if (value is null) kept.Remove(key);
            foreach (var (key, value) in CredentialStore.FieldsOf(fields)) kept[key] = value;
            await store.PutAsync(stored with { Fields = kept }, cancel);
            return Results.Json(new { name, kind = stored.Kind, fields = kept.Keys.Order(StringComparer.Ordinal).ToArray() });
        }).WithSummary("Changes some fields of a credential and keeps the others (a secret need not be typed again); null removes a field");

        api.MapPost("/{name}/test", async (string name, CredentialStore store, ConnectorServices services, CancellationToken cancel) =>
        {
            if (await store.GetAsync(name, cancel) is not { } stored) return NotFound(name);
            if (CredentialKinds.Find(stored.Kind)?.Test is not { } test)
                return Results.Json(new CredentialTestResult(false, $"Credentials of kind '{stored.Kind}' have no connection test; a node that uses it will tell."));
            return Results.Json(await test(services, stored, cancel));
        }).WithSummary("Makes one harmless read-only call to the vendor with this credential and says whether it was accepted");

        api.MapDelete("/{name}", async (string name, CredentialStore store, CancellationToken cancel) =>
            await store.DeleteAsync(name, cancel)
                ? Results.NoContent()
                : NotFound(name))
            .WithSummary("Deletes a credential");
        return app;
    }

    static IResult NotFound(string name) => Results.Problem(title: "Not found", detail: $"credential '{name}' does not exist", statusCode: 404);

    static async Task<(JsonObject? Body, IResult? Problem)> ReadObject(HttpRequest request, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancel);
        var (node, unreadable) = Workflows.Engine.Security.JsonInput.Parse(buffer.ToArray(), Workflows.Engine.Security.JsonInput.Strict);
        if (unreadable is not null) return (null, Results.Problem(title: "The request body is not readable JSON", detail: unreadable, statusCode: 400));
        return node is JsonObject body ? (body, null) : (null, Results.Problem(title: "Bad request", detail: "the body must be a JSON object", statusCode: 400));
    }
}
