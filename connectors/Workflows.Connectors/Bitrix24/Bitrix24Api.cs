using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;

namespace Workflows.Connectors.Bitrix24;

/// <summary>
/// Calls Bitrix24 REST methods with a credential of kind "bitrix24": either <c>webhook_url</c>
/// (https://PORTAL/rest/{user}/{code}/) or OAuth (<c>portal_url</c> https://PORTAL/rest/, <c>access_token</c>,
/// <c>refresh_token</c>, <c>client_id</c>, <c>client_secret</c>, optional <c>oauth_url</c> and <c>expires_at</c>).
/// An expired access token (by expires_at, or an <c>expired_token</c> answer) is refreshed once and the new
/// pair saved back to the credential.
/// </summary>
public static class Bitrix24Api
{
    public const string Kind = "bitrix24";

    /// <summary>The fields read below; the test lists one contact id (crm.contact.list), which the connectors' nodes need anyway.</summary>
    public static readonly CredentialKind Credential = new(Kind, "Bitrix24",
    [
        new("webhook_url", "Inbound webhook URL", Secret: true, Help: "https://PORTAL/rest/{user}/{code}/ (or OAuth below)"),
        new("portal_url", "Portal REST URL (OAuth)", Help: "https://PORTAL/rest/"),
        new("access_token", "Access token", Secret: true),
        new("refresh_token", "Refresh token", Secret: true),
        new("client_id", "Client id"),
        new("client_secret", "Client secret", Secret: true),
        new("oauth_url", "OAuth URL", Help: DefaultOAuthUrl),
        new("expires_at", "Access token expires at (unix seconds)"),
    ], (services, c, cancel) => CredentialKind.FromCall(
        CallAsync(services, c, "crm.contact.list", new JsonObject { ["select"] = new JsonArray("ID"), ["filter"] = new JsonObject { ["ID"] = "0" } }, cancel),
        "Bitrix24 answered: the credential is accepted."));
    const string DefaultOAuthUrl = "https://oauth.bitrix.info/oauth/token/";
    static readonly ConcurrentDictionary<string, SemaphoreSlim> RefreshLocks = new();
    static readonly HashSet<string> TransientErrors = ["QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT", "INTERNAL_SERVER_ERROR", "OVERLOAD_LIMIT", "ERROR_UNEXPECTED_ANSWER"];
    static readonly HashSet<string> AuthErrors = ["NO_AUTH_FOUND", "INVALID_CREDENTIALS", "insufficient_scope", "user_access_error", "ACCESS_DENIED", "PORTAL_DELETED", "INVALID_REQUEST", "invalid_client", "invalid_grant", "PAYMENT_REQUIRED"];

    public static async Task<VendorResult> CallAsync(ConnectorServices services, Credential credential, string method, JsonObject parameters, CancellationToken cancel)
    {
        if (credential["webhook_url"] is { } webhook)
            return await Send(services, $"{webhook.TrimEnd('/')}/{method}", parameters, cancel);
        if (credential["portal_url"] is null || credential["access_token"] is null)
            return Invalid("credential needs webhook_url, or portal_url with access_token (OAuth)");

        if (long.TryParse(credential["expires_at"], out var expires) && DateTimeOffset.UtcNow.ToUnixTimeSeconds() >= expires - 30)
        {
            var (fresh, problem) = await Refresh(services, credential, credential["access_token"]!, cancel);
            if (problem is not null) return problem;
            credential = fresh!;
        }
        var result = await Send(services, OAuthUrl(credential, method), parameters, cancel);
        if (result.Error is { Tag: "expired_token" })
        {
            var (fresh, problem) = await Refresh(services, credential, credential["access_token"]!, cancel);
            if (problem is not null) return problem;
            result = await Send(services, OAuthUrl(fresh!, method), parameters, cancel);
        }
        return result;
    }

    static string OAuthUrl(Credential credential, string method) =>
        $"{credential["portal_url"]!.TrimEnd('/')}/{method}?auth={Uri.EscapeDataString(credential["access_token"]!)}";

    static VendorResult Invalid(string text) => new(null, new Workflows.Engine.Nodes.NodeError(false, "bad_credential", text), 0);

    static Task<VendorResult> Send(ConnectorServices services, string url, JsonObject parameters, CancellationToken cancel) =>
        services.Vendor.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = VendorCall.JsonBody(parameters) }, Classify, cancel);

    /// <summary>Errors are told by the presence of "error"; limits and server errors are transient.</summary>
    public static Verdict Classify(VendorReply reply)
    {
        if (reply.Json is JsonObject body && body.ContainsKey("error"))
        {
            var code = Text(body["error"]);
            var description = Text(body["error_description"]);
            var text = string.IsNullOrEmpty(code) ? description : $"{code}: {description}";
            if (TransientErrors.Contains(code)) return Verdict.Transient(code, $"Bitrix24 {text}");
            if (code is "expired_token" or "invalid_token") return Verdict.Permanent("expired_token", $"Bitrix24 {text}");
            if (AuthErrors.Contains(code)) return Verdict.Permanent("auth_failed", $"Bitrix24 {text}");
            if (reply.Status >= 500) return Verdict.Transient($"http_{reply.Status}", $"Bitrix24 {text}");
            if (description.Equals("Not found", StringComparison.OrdinalIgnoreCase)) return Verdict.Permanent("not_found", $"Bitrix24 {text}");
            return Verdict.Permanent(string.IsNullOrEmpty(code) ? "bitrix24_error" : code, $"Bitrix24 {text}");
        }
        if (reply.Status != 200 || reply.Json is not JsonObject) return reply.Status is >= 200 and < 300
            ? Verdict.Permanent("bad_response", $"Bitrix24 answered something that is not JSON: {reply.Excerpt}")
            : Verdict.FromStatus(reply);
        return Verdict.Ok;
    }

    static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : node?.ToJsonString() ?? "";

    /// <summary>Refreshes the OAuth pair once per credential at a time; a concurrent caller reuses the new token.</summary>
    static async Task<(Credential?, VendorResult?)> Refresh(ConnectorServices services, Credential used, string usedToken, CancellationToken cancel)
    {
        var gate = RefreshLocks.GetOrAdd(used.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancel);
        try
        {
            var current = await services.Credentials.GetAsync(used.Name, cancel) ?? used;
            if (current["access_token"] is { } token && token != usedToken) return (current, null);
            if (current["refresh_token"] is not { } refresh || current["client_id"] is not { } clientId || current["client_secret"] is not { } secret)
                return (null, new VendorResult(null, new Workflows.Engine.Nodes.NodeError(false, "auth_failed", "Bitrix24 access token expired and the credential has no refresh_token, client_id and client_secret to renew it"), 0));
            var url = $"{current["oauth_url"] ?? DefaultOAuthUrl}?grant_type=refresh_token&client_id={Uri.EscapeDataString(clientId)}&client_secret={Uri.EscapeDataString(secret)}&refresh_token={Uri.EscapeDataString(refresh)}";
            var answer = await services.Vendor.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), reply =>
            {
                var verdict = Classify(reply);
                if (verdict.Kind == VerdictKind.Permanent) return Verdict.Permanent("auth_failed", $"token refresh failed: {verdict.Text}");
                return verdict.Kind == VerdictKind.Ok && reply.Json?["access_token"] is null
                    ? Verdict.Permanent("auth_failed", "token refresh answered no access_token")
                    : verdict;
            }, cancel);
            if (!answer.Ok) return (null, answer);
            var json = answer.Json!;
            var changes = new Dictionary<string, string>
            {
                ["access_token"] = Text(json["access_token"]),
                ["refresh_token"] = Text(json["refresh_token"]),
                ["expires_at"] = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + (json["expires_in"] is JsonValue e && e.TryGetValue(out long s) ? s : 3600)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (json["client_endpoint"] is JsonValue ce && ce.TryGetValue(out string? endpoint) && !string.IsNullOrEmpty(endpoint))
                changes["portal_url"] = endpoint;
            var fresh = current.With(changes);
            await services.Credentials.PutAsync(fresh, cancel);
            return (fresh, null);
        }
        finally { gate.Release(); }
    }
}
