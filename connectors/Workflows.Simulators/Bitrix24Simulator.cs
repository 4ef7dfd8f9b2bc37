using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Workflows.Simulators;

/// <summary>
/// Bitrix24 REST: webhook URLs /rest/{user}/{code}/{method} and OAuth /rest/{method}?auth=TOKEN, token
/// rotation at /oauth/token/, leads kept in memory (crm.lead.add/update/get, crm.contact.list).
/// Errors: 401 INVALID_CREDENTIALS / NO_AUTH_FOUND / expired_token, 503 QUERY_LIMIT_EXCEEDED, 400 with an empty error.
/// </summary>
public sealed class Bitrix24Simulator : HttpSimulator
{
    public const string WebhookUser = "1";
    public const string WebhookCode = "demo-webhook-code";
    public const string ClientId = "local.demo";
    public const string ClientSecret = "demo-client-secret";

    readonly ConcurrentDictionary<string, JsonObject> _leads = new();
    readonly ConcurrentDictionary<string, JsonObject> _contacts = new();
    readonly ConcurrentDictionary<string, bool> _accessTokens = new();
    readonly ConcurrentDictionary<string, bool> _refreshTokens = new();
    int _nextLead = 100;
    int _nextToken;

    public Bitrix24Simulator()
    {
        _accessTokens["demo-access-token"] = true;
        _refreshTokens["demo-refresh-token"] = true;
    }

    public int Refreshes { get; private set; }

    /// <summary>Leaky bucket of the cloud portal: X requests (50; null = off), draining <see cref="BucketDrainPerSecond"/> per second.</summary>
    public int? BucketCapacity { get; set; }
    public double BucketDrainPerSecond { get; set; } = 2;
    double _bucket;
    DateTime _bucketAt = DateTime.UtcNow;
    readonly Lock _bucketLock = new();

    bool Overflows()
    {
        if (BucketCapacity is not { } capacity) return false;
        lock (_bucketLock)
        {
            var now = DateTime.UtcNow;
            _bucket = Math.Max(0, _bucket - (now - _bucketAt).TotalSeconds * BucketDrainPerSecond);
            _bucketAt = now;
            if (_bucket + 1 > capacity) return true;
            _bucket += 1;
            return false;
        }
    }
    public IReadOnlyDictionary<string, JsonObject> Leads => _leads;

    /// <summary>Issues a fresh OAuth pair (as an app installation would get).</summary>
    public (string Access, string Refresh) IssuePair()
    {
        var n = Interlocked.Increment(ref _nextToken);
        var pair = ($"access-{n}-{Guid.NewGuid():n}", $"refresh-{n}-{Guid.NewGuid():n}");
        _accessTokens[pair.Item1] = true;
        _refreshTokens[pair.Item2] = true;
        return pair;
    }

    /// <summary>Makes every access token issued so far expired (the next call answers expired_token).</summary>
    public void ExpireAccessTokens() => _accessTokens.Clear();

    /// <summary>Adds a contact (for crm.contact.list by phone or by a partner/utm field).</summary>
    public string AddContact(JsonObject fields)
    {
        var id = Interlocked.Increment(ref _nextLead).ToString(System.Globalization.CultureInfo.InvariantCulture);
        fields["ID"] = id;
        _contacts[id] = fields;
        return id;
    }

    protected override void Map(WebApplication app)
    {
        app.MapMethods("/rest/{user}/{code}/{method}", ["GET", "POST"], async (string user, string code, string method, HttpRequest request) =>
        {
            if (user != WebhookUser || code != WebhookCode) return Error(401, "INVALID_CREDENTIALS", "Invalid request credentials");
            return await Call(Method(method), request);
        });
        app.MapMethods("/rest/{method}", ["GET", "POST"], async (string method, HttpRequest request) =>
        {
            var p = await ReadParams(request);
            var token = Str(p["auth"]);
            if (string.IsNullOrEmpty(token)) return Error(401, "NO_AUTH_FOUND", "Wrong authorization data");
            if (!_accessTokens.ContainsKey(token)) return Error(401, "expired_token", "The access token provided has expired");
            return await Call(Method(method), request, p);
        });
        app.MapGet("/oauth/token/", (HttpRequest request) =>
        {
            var q = request.Query;
            if (q["grant_type"] != "refresh_token") return Json(new JsonObject { ["error"] = "invalid_request", ["error_description"] = "grant_type must be refresh_token" }, 400);
            if (q["client_id"] != ClientId || q["client_secret"] != ClientSecret) return Json(new JsonObject { ["error"] = "invalid_client", ["error_description"] = "Invalid client" }, 401);
            var refresh = q["refresh_token"].ToString();
            if (!_refreshTokens.TryRemove(refresh, out _)) return Json(new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Invalid refresh token" }, 400);
            var n = Interlocked.Increment(ref _nextToken);
            var access = $"access-{n}-{Guid.NewGuid():n}";
            var next = $"refresh-{n}-{Guid.NewGuid():n}";
            _accessTokens[access] = true;
            _refreshTokens[next] = true;
            Refreshes++;
            return Json(new JsonObject
            {
                ["access_token"] = access, ["refresh_token"] = next, ["expires_in"] = 3600,
                ["client_endpoint"] = Base + "/rest/", ["server_endpoint"] = Base + "/oauth/rest/",
                ["domain"] = "oauth.bitrix.info", ["member_id"] = "demo-member", ["scope"] = "crm", ["status"] = "T",
            });
        });
    }

    static string Method(string method) => method.EndsWith(".json", StringComparison.Ordinal) ? method[..^5] : method;

    static IResult Error(int status, string error, string description) =>
        Json(new JsonObject { ["error"] = error, ["error_description"] = description }, status);

    static JsonObject Envelope(JsonNode? result)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        return new JsonObject
        {
            ["result"] = result,
            ["time"] = new JsonObject { ["start"] = now, ["finish"] = now, ["duration"] = 0.01, ["processing"] = 0.01 },
        };
    }

    async Task<IResult> Call(string method, HttpRequest request, JsonObject? parameters = null)
    {
        if (TakeFailure() || Overflows()) return Error(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
        var p = parameters ?? await ReadParams(request);
        switch (method)
        {
            case "crm.lead.add":
            {
                if (p["fields"] is not JsonObject fields) return Error(400, "", "Parameter 'fields' is required");
                if (fields["TITLE"] is null && fields["NAME"] is null) return Error(400, "", "Required fields are not filled: TITLE");
                var id = Interlocked.Increment(ref _nextLead).ToString(System.Globalization.CultureInfo.InvariantCulture);
                var lead = (JsonObject)fields.DeepClone();
                lead["ID"] = id;
                lead["STATUS_ID"] ??= "NEW";
                if (lead["PHONE"] is JsonArray phones)
                    foreach (var ph in phones.OfType<JsonObject>()) { ph["ID"] ??= Interlocked.Increment(ref _nextLead).ToString(System.Globalization.CultureInfo.InvariantCulture); ph["TYPE_ID"] = "PHONE"; ph["VALUE_TYPE"] ??= "WORK"; }
                _leads[id] = lead;
                return Json(Envelope(int.Parse(id, System.Globalization.CultureInfo.InvariantCulture)));
            }
            case "crm.lead.update":
            {
                var id = Str(p["id"]) ?? Str(p["ID"]);
                if (string.IsNullOrEmpty(id) || !int.TryParse(id, out _)) return Error(400, "", "ID is not defined or invalid");
                if (!_leads.TryGetValue(id, out var lead)) return Error(400, "", "Not found");
                if (p["fields"] is JsonObject fields)
                    foreach (var (k, v) in fields) lead[k] = v?.DeepClone();
                return Json(Envelope(true));
            }
            case "crm.lead.get":
            {
                var id = Str(p["id"]) ?? Str(p["ID"]);
                if (string.IsNullOrEmpty(id) || !int.TryParse(id, out _)) return Error(400, "", "ID is not defined or invalid");
                if (!_leads.TryGetValue(id, out var lead)) return Error(400, "", "Not found");
                return Json(Envelope(lead.DeepClone()));
            }
            case "crm.contact.list":
            {
                var filter = p["filter"] as JsonObject ?? [];
                var rows = _contacts.Values.Where(c => filter.All(f => Matches(c, f.Key, Str(f.Value)))).Select(c => (JsonNode)c.DeepClone()).ToArray();
                var envelope = Envelope(new JsonArray(rows));
                envelope["total"] = rows.Length;
                return Json(envelope);
            }
            default:
                return Error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
        }
    }

    static bool Matches(JsonObject contact, string key, string? value)
    {
        if (key == "PHONE" || key == "EMAIL")
            return contact[key] is JsonArray list && list.OfType<JsonObject>().Any(x => Str(x["VALUE"]) == value);
        return Str(contact[key]) == value;
    }
}
