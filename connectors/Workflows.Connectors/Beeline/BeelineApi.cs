using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;

namespace Workflows.Connectors.Beeline;

/// <summary>
/// Beeline Cloud PBX portal API with a credential of kind "beeline": token (the portal's API token,
/// sent as X-MPBX-API-AUTH-TOKEN), optional url (default https://cloudpbx.beeline.ru/apis/portal).
/// </summary>
public static class BeelineApi
{
    public const string Kind = "beeline";
    const string DefaultUrl = "https://cloudpbx.beeline.ru/apis/portal";

    /// <summary>The fields read below; the test lists the portal's operators (GET abonents).</summary>
    public static readonly CredentialKind Credential = new(Kind, "Beeline Cloud PBX",
    [
        new("token", "API token", Secret: true),
        new("url", "API URL", Help: DefaultUrl),
    ], (services, c, cancel) => Check(c) is { } missing
        ? Task.FromResult(new CredentialTestResult(false, missing))
        : CredentialKind.FromCall(SendAsync(services, c, HttpMethod.Get, "abonents", null, cancel), "Beeline answered: the token is accepted."));

    public static string BaseUrl(Credential c) => (c["url"] ?? DefaultUrl).TrimEnd('/');

    public static string? Check(Credential c) => c["token"] is null ? $"credential '{c.Name}' needs the portal's API token (field token)" : null;

    public static Task<VendorResult> SendAsync(ConnectorServices services, Credential c, HttpMethod method, string path, JsonNode? body, CancellationToken cancel) =>
        services.Vendor.SendAsync(() =>
        {
            var request = new HttpRequestMessage(method, $"{BaseUrl(c)}/{path.TrimStart('/')}");
            request.Headers.TryAddWithoutValidation("X-MPBX-API-AUTH-TOKEN", c["token"]);
            if (body is not null) request.Content = VendorCall.JsonBody(body);
            return request;
        }, Classify, cancel);

    /// <summary>Errors are <c>{"errorCode", "description"}</c> with a non-2xx status; 429 and 5xx are transient, 401/403 authentication.</summary>
    public static Verdict Classify(VendorReply reply)
    {
        if (reply.Status is >= 200 and < 300) return Verdict.Ok;
        var code = reply.Json?["errorCode"] is JsonValue c ? c.ToString() : null;
        var description = reply.Json?["description"] is JsonValue d ? d.ToString() : reply.Excerpt;
        var text = $"Beeline {reply.Status}{(code is null ? "" : $" {code}")}: {description}";
        if (reply.Status is 429 or >= 500) return Verdict.Transient($"http_{reply.Status}", text);
        if (reply.Status is 401 or 403) return Verdict.Permanent("auth_failed", text);
        if (reply.Status == 404) return Verdict.Permanent("not_found", text);
        return Verdict.Permanent("validation_error", text);
    }

    /// <summary>Digits only, with Russia's leading 8 read as 7 (the PBX dials 7XXXXXXXXXX).</summary>
    public static string Phone(string text)
    {
        var digits = new string(text.Where(char.IsDigit).ToArray());
        return digits.Length == 11 && digits[0] == '8' ? "7" + digits[1..] : digits.Length == 10 && digits[0] == '9' ? "7" + digits : digits;
    }

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
