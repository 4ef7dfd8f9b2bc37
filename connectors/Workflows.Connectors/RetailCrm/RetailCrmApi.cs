using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;

namespace Workflows.Connectors.RetailCrm;

/// <summary>
/// RetailCRM API v5 with a credential of kind "retailcrm": url (https://DOMAIN.retailcrm.ru), api_key,
/// optional site. The key travels in X-API-KEY; entities are form fields holding JSON text.
/// </summary>
public static class RetailCrmApi
{
    public const string Kind = "retailcrm";

    /// <summary>The fields read below; the test asks which methods the key may call (GET /api/credentials, unversioned).</summary>
    public static readonly CredentialKind Credential = new(Kind, "RetailCRM",
    [
        new("url", "Account URL", Help: "https://DOMAIN.retailcrm.ru"),
        new("api_key", "API key", Secret: true),
        new("site", "Store (site code)"),
    ], (services, c, cancel) => Check(c) is { } missing
        ? Task.FromResult(new CredentialTestResult(false, missing))
        : CredentialKind.FromCall(services.Vendor.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"{c["url"]!.TrimEnd('/')}/api/credentials");
            request.Headers.TryAddWithoutValidation("X-API-KEY", c["api_key"]);
            return request;
        }, Classify, cancel), "RetailCRM answered: the API key is accepted."));

    public static Task<VendorResult> PostAsync(ConnectorServices services, Credential credential, string path, Dictionary<string, string> form, CancellationToken cancel)
    {
        var url = $"{credential["url"]!.TrimEnd('/')}/api/v5/{path.TrimStart('/')}";
        if (credential["site"] is { } site && !form.ContainsKey("site")) form["site"] = site;
        return services.Vendor.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = VendorCall.FormBody(form) };
            request.Headers.TryAddWithoutValidation("X-API-KEY", credential["api_key"]);
            return request;
        }, Classify, cancel);
    }

    public static Task<VendorResult> GetAsync(ConnectorServices services, Credential credential, string pathAndQuery, CancellationToken cancel)
    {
        var url = $"{credential["url"]!.TrimEnd('/')}/api/v5/{pathAndQuery.TrimStart('/')}";
        if (credential["site"] is { } site) url += (url.Contains('?') ? "&" : "?") + "site=" + Uri.EscapeDataString(site);
        return services.Vendor.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("X-API-KEY", credential["api_key"]);
            return request;
        }, Classify, cancel);
    }

    public static string? Check(Credential credential) =>
        credential["url"] is null || credential["api_key"] is null ? $"credential '{credential.Name}' needs url and api_key" : null;

    /// <summary><c>{"success":false,"errorMsg","errors"}</c>; 503/429 and "Rate limit exceeded" are transient.</summary>
    public static Verdict Classify(VendorReply reply)
    {
        if (reply.Text.TrimStart().StartsWith('<'))
            return reply.Status >= 500 ? Verdict.Transient($"http_{reply.Status}", $"RetailCRM HTTP {reply.Status}") : Verdict.Permanent("account_not_found", "RetailCRM answered HTML: the account does not exist");
        if (reply.Json is JsonObject body && body["success"] is JsonValue s && s.TryGetValue(out bool ok) && ok) return Verdict.Ok;
        var message = reply.Json?["errorMsg"] is JsonValue m && m.TryGetValue(out string? msg) ? msg : reply.Excerpt;
        var details = reply.Json?["errors"] switch
        {
            JsonObject o when o.Count > 0 => " " + string.Join("; ", o.Select(kv => $"{kv.Key}: {Workflows.Engine.Templates.Template.AsText(kv.Value)}")),
            JsonArray a when a.Count > 0 => " " + string.Join("; ", a.Select(Workflows.Engine.Templates.Template.AsText)),
            _ => "",
        };
        var text = $"RetailCRM {reply.Status}: {message}{details}";
        if (reply.Status is 429 or >= 500 || message.Contains("Rate limit", StringComparison.OrdinalIgnoreCase)) return Verdict.Transient($"http_{reply.Status}", text);
        if (reply.Status is 401 or 403 || message.Contains("apiKey", StringComparison.Ordinal) || message.StartsWith("Access denied", StringComparison.Ordinal)) return Verdict.Permanent("auth_failed", text);
        if (reply.Status == 404) return Verdict.Permanent("not_found", text);
        return Verdict.Permanent("validation_error", text);
    }
}
