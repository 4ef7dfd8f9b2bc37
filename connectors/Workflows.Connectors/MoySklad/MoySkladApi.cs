using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;

namespace Workflows.Connectors.MoySklad;

/// <summary>
/// MoySklad JSON API 1.2 with a credential of kind "moysklad": url (default https://api.moysklad.ru/api/remap/1.2),
/// token (Bearer) or login + password (Basic), optional organization_id, agent_id, store_id. Answers are
/// gzip-compressed (the connectors' HTTP client asks for gzip, as MoySklad requires).
/// </summary>
public static class MoySkladApi
{
    public const string Kind = "moysklad";

    /// <summary>The fields read below; the test reads one product (GET entity/product?limit=1).</summary>
    public static readonly CredentialKind Credential = new(Kind, "MoySklad",
    [
        new("token", "Token", Secret: true, Help: "or login and password"),
        new("login", "Login"),
        new("password", "Password", Secret: true),
        new("url", "API URL", Help: "https://api.moysklad.ru/api/remap/1.2"),
        new("organization_id", "Organization id"),
        new("agent_id", "Counterparty id"),
        new("store_id", "Store id"),
    ], (services, c, cancel) => Check(c) is { } missing
        ? Task.FromResult(new CredentialTestResult(false, missing))
        : CredentialKind.FromCall(SendAsync(services, c, HttpMethod.Get, "entity/product?limit=1", null, cancel), "MoySklad answered: the credential is accepted."));

    public static string BaseUrl(Credential c) => (c["url"] ?? "https://api.moysklad.ru/api/remap/1.2").TrimEnd('/');

    public static string Href(Credential c, string type, string idOrHref) =>
        idOrHref.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? idOrHref : $"{BaseUrl(c)}/entity/{type}/{idOrHref}";

    public static JsonObject Meta(Credential c, string type, string idOrHref) =>
        new() { ["meta"] = new JsonObject { ["href"] = Href(c, type, idOrHref), ["type"] = type, ["mediaType"] = "application/json" } };

    public static string? Check(Credential c) =>
        c["token"] is null && (c["login"] is null || c["password"] is null) ? $"credential '{c.Name}' needs a token, or login and password" : null;

    public static Task<VendorResult> SendAsync(ConnectorServices services, Credential c, HttpMethod method, string path, JsonNode? body, CancellationToken cancel) =>
        services.Vendor.SendAsync(() =>
        {
            var request = new HttpRequestMessage(method, $"{BaseUrl(c)}/{path.TrimStart('/')}");
            request.Headers.Authorization = c["token"] is { } token
                ? new AuthenticationHeaderValue("Bearer", token)
                : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c["login"]}:{c["password"]}")));
            if (body is not null) request.Content = VendorCall.JsonBody(body);
            return request;
        }, Classify, cancel);

    /// <summary>A list param: a JSON array (of texts or numbers) or a comma-separated text.</summary>
    public static IEnumerable<string> List(JsonNode? value)
    {
        if (value is JsonValue v && v.TryGetValue(out string? text))
        {
            var trimmed = text.Trim();
            if (trimmed.StartsWith('['))
            {
                try { value = JsonNode.Parse(trimmed); }
                catch (System.Text.Json.JsonException) { return []; }
            }
            else return trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        return value is JsonArray array
            ? array.Select(i => i is null ? "" : Workflows.Engine.Templates.Template.AsText(i).Trim()).Where(s => s.Length > 0)
            : [];
    }

    /// <summary><c>{"errors":[{"error","code","parameter"}]}</c>; 429 (1049, 1073) and 5xx are transient, 401/403 authentication.</summary>
    public static Verdict Classify(VendorReply reply)
    {
        if (reply.Status is >= 200 and < 300) return reply.Json is null ? Verdict.Permanent("bad_response", $"MoySklad answered something that is not JSON: {reply.Excerpt}") : Verdict.Ok;
        var errors = reply.Json?["errors"] as JsonArray;
        var first = errors?.FirstOrDefault() as JsonObject;
        var code = first?["code"]?.ToJsonString() ?? "";
        var message = errors is null ? reply.Excerpt : string.Join("; ", errors.OfType<JsonObject>().Select(e => Workflows.Engine.Templates.Template.AsText(e["error"])));
        if (reply.Status == 415) message = "415: the request was not gzip-encoded (Accept-Encoding: gzip is required)";
        var text = $"MoySklad {reply.Status}{(code.Length > 0 ? $" ({code})" : "")}: {message}";
        if (reply.Status is 429 or >= 500 || code is "1049" or "1073") return Verdict.Transient($"http_{reply.Status}", text);
        if (reply.Status is 401 || code == "1056") return Verdict.Permanent("auth_failed", text);
        if (reply.Status is 403) return Verdict.Permanent("forbidden", text);
        if (reply.Status is 404) return Verdict.Permanent("not_found", text);
        return Verdict.Permanent("validation_error", text);
    }
}
