using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Workflows.Simulators;

/// <summary>
/// Beeline Cloud PBX portal API under /apis/portal (header X-MPBX-API-AUTH-TOKEN): abonents,
/// click-to-call (POST abonents/{pattern}/call?phoneNumber=, answers the call id), the event
/// subscription (PUT/GET/DELETE subscription; it lapses after "expires" seconds by <see cref="Now"/>),
/// statistics, records and a record's download reference. After a click-to-call it sends the call's
/// BroadWorks XSI events to every live subscription of that abonent: originated, then answered and
/// released, or released with the cause. Outcome by the customer phone's last digit: 0 no answer,
/// 1 busy, anything else answered (<see cref="Outcomes"/> overrides per number).
/// Errors: 401 for a bad token, 404 unknown abonent or subscription, 400 bad phone, 429 for FailNext.
/// </summary>
public sealed class BeelineSimulator : HttpSimulator
{
    public const string Token = "demo-beeline-token";
    public const string XsiNamespace = "http://schema.broadsoft.com/xsi";
    public const int AnsweredSeconds = 42;
    long _call = 7_000_000;
    long _subscription;
    long _record = 500;

    public sealed record Abonent(string UserId, string Extension, string Phone, string FirstName, string LastName);
    public sealed record Subscription(string Id, string? Pattern, string Type, string Url, DateTimeOffset ExpiresAt);
    public sealed record Call(string CallId, string UserId, string Phone, string Result, DateTimeOffset Start, DateTimeOffset? Answer, DateTimeOffset Release, string? RecordId, bool Inbound = false);

    readonly ConcurrentDictionary<string, Abonent> _abonents = new();
    readonly ConcurrentDictionary<string, Subscription> _subscriptions = new();
    readonly ConcurrentDictionary<string, Call> _calls = new();

    /// <summary>The PBX's clock (subscriptions lapse by it); tests set the engine's manual clock here.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;
    /// <summary>Pause before each event is sent (the PBX rings, the customer picks up…).</summary>
    public TimeSpan EventDelay { get; set; } = TimeSpan.FromMilliseconds(100);
    public ConcurrentDictionary<string, string> Outcomes { get; } = new();
    /// <summary>Every event sent: (url, XML), in order.</summary>
    public ConcurrentQueue<(string Url, string Xml)> Events { get; } = new();
    public IReadOnlyDictionary<string, Subscription> Subscriptions => _subscriptions;
    public IReadOnlyDictionary<string, Call> CallLog => _calls;

    public BeelineSimulator()
    {
        // The shop's three operators (seed 004).
        AddAbonent(new Abonent("anna@unitaz.pbx", "201", "79160000201", "Анна", "Операторова"));
        AddAbonent(new Abonent("boris@unitaz.pbx", "202", "79160000202", "Борис", "Операторов"));
        AddAbonent(new Abonent("vera@unitaz.pbx", "203", "79160000203", "Вера", "Операторова"));
    }

    public void AddAbonent(Abonent abonent) => _abonents[abonent.UserId] = abonent;

    public static string OutcomeByDigit(string phone) => phone.Length == 0 ? "no_answer" : phone[^1] switch
    {
        '0' => "no_answer",
        '1' => "busy",
        _ => "answered",
    };

    Abonent? FindAbonent(string pattern) =>
        _abonents.Values.FirstOrDefault(a => a.UserId == pattern || a.Extension == pattern || a.Phone == pattern);

    protected override void Map(WebApplication app)
    {
        var api = app.MapGroup("/apis/portal");
        api.AddEndpointFilter(async (context, next) =>
        {
            var token = context.HttpContext.Request.Headers["X-MPBX-API-AUTH-TOKEN"].ToString();
            if (token != Token) return Error(401, "Unauthorized", token.Length == 0 ? "X-MPBX-API-AUTH-TOKEN header is missing" : "Invalid token");
            if (TakeFailure()) return Error(429, "TooManyRequests", "Rate limit exceeded");
            return await next(context);
        });
        api.MapGet("/abonents", () => Json(new JsonArray(_abonents.Values.OrderBy(a => a.Extension).Select(AbonentJson).ToArray())));
        api.MapGet("/abonents/{pattern}", (string pattern) =>
            FindAbonent(pattern) is { } a ? Json(AbonentJson(a)) : Error(404, "AbonentNotFound", $"Abonent '{pattern}' not found"));
        api.MapPost("/abonents/{pattern}/call", (string pattern, string? phoneNumber) => ClickToCall(pattern, phoneNumber));
        api.MapPost("/v2/abonents/{pattern}/call", (string pattern, string? phoneNumber) => ClickToCall(pattern, phoneNumber));
        api.MapPut("/subscription", async (HttpRequest request) =>
        {
            var p = await ReadParams(request);
            var url = Str(p["url"]);
            if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out _)) return Error(400, "ValidationError", "url: must be an absolute URL");
            var type = Str(p["subscriptionType"]) ?? "BASIC_CALL";
            if (type is not ("BASIC_CALL" or "ADVANCED_CALL")) return Error(400, "ValidationError", "subscriptionType: must be BASIC_CALL or ADVANCED_CALL");
            if (!int.TryParse(Str(p["expires"]) ?? "3600", out var expires) || expires is < 1 or > 86400) return Error(400, "ValidationError", "expires: must be 1..86400 seconds");
            var pattern = Str(p["pattern"]);
            if (pattern is not null && FindAbonent(pattern) is null) return Error(404, "AbonentNotFound", $"Abonent '{pattern}' not found");
            var id = $"sub-{Interlocked.Increment(ref _subscription):D6}";
            _subscriptions[id] = new Subscription(id, pattern, type, url, Now().AddSeconds(expires));
            return Json(new JsonObject { ["subscriptionId"] = id, ["expires"] = expires });
        });
        api.MapGet("/subscription", (string? subscriptionId) =>
        {
            if (Live(subscriptionId) is not { } s) return Error(404, "SubscriptionNotFound", $"Subscription '{subscriptionId}' not found");
            return Json(new JsonObject
            {
                ["subscriptionId"] = s.Id, ["pattern"] = s.Pattern, ["subscriptionType"] = s.Type, ["url"] = s.Url,
                ["expires"] = (int)Math.Max(0, (s.ExpiresAt - Now()).TotalSeconds),
            });
        });
        api.MapDelete("/subscription", (string? subscriptionId) =>
            Live(subscriptionId) is { } s && _subscriptions.TryRemove(s.Id, out _)
                ? Results.Ok()
                : Error(404, "SubscriptionNotFound", $"Subscription '{subscriptionId}' not found"));
        api.MapGet("/statistics", (string? userId, string? dateFrom, string? dateTo) =>
            Json(new JsonArray(CallsIn(userId, dateFrom, dateTo).Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.CallId,
                ["callId"] = c.CallId,
                ["phone"] = c.Phone,
                ["direction"] = "OUTBOUND",
                ["date"] = Iso(c.Start),
                ["duration"] = c.Answer is { } a ? (long)(c.Release - a).TotalMilliseconds : 0,
                ["status"] = c.Result switch { "answered" => "ANSWERED", "busy" => "BUSY", _ => "MISSED" },
                ["abonent"] = AbonentJson(_abonents[c.UserId]),
            }).ToArray())));
        api.MapGet("/records", (string? userId, string? dateFrom, string? dateTo) =>
            Json(new JsonArray(CallsIn(userId, dateFrom, dateTo).Where(c => c.RecordId is not null).Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.RecordId,
                ["externalId"] = c.CallId,
                ["callId"] = c.CallId,
                ["phone"] = c.Phone,
                ["direction"] = "OUTBOUND",
                ["date"] = Iso(c.Start),
                ["duration"] = (long)(c.Release - c.Answer!.Value).TotalMilliseconds,
                ["fileSize"] = 336_000,
                ["abonent"] = AbonentJson(_abonents[c.UserId]),
            }).ToArray())));
        api.MapGet("/v2/records/{id}/reference", (string id) =>
            _calls.Values.Any(c => c.RecordId == id)
                ? Json(new JsonObject { ["url"] = $"{Base}/media/records/{id}.mp3" })
                : Error(404, "RecordNotFound", $"Record '{id}' not found"));
        app.MapGet("/media/records/{file}", (string file) => Results.Bytes(Encoding.ASCII.GetBytes("ID3 demo recording " + file), "audio/mpeg"));
    }

    Subscription? Live(string? id) =>
        id is not null && _subscriptions.TryGetValue(id, out var s) && s.ExpiresAt > Now() ? s : null;

    IEnumerable<Call> CallsIn(string? userId, string? dateFrom, string? dateTo)
    {
        var from = DateTimeOffset.TryParse(dateFrom, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var f) ? f : DateTimeOffset.MinValue;
        var to = DateTimeOffset.TryParse(dateTo, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MaxValue;
        var user = userId is null ? null : FindAbonent(userId)?.UserId ?? userId;
        return _calls.Values.Where(c => (user is null || c.UserId == user) && c.Start >= from && c.Start <= to).OrderBy(c => c.Start);
    }

    IResult ClickToCall(string pattern, string? phoneNumber)
    {
        if (FindAbonent(pattern) is not { } abonent) return Error(404, "AbonentNotFound", $"Abonent '{pattern}' not found");
        var phone = new string((phoneNumber ?? "").Where(char.IsDigit).ToArray());
        if (phone.Length is < 10 or > 15) return Error(400, "ValidationError", $"phoneNumber: '{phoneNumber}' is not a phone number");
        var result = Outcomes.TryGetValue(phone, out var forced) ? forced : OutcomeByDigit(phone);
        var callId = $"callhalf-{Interlocked.Increment(ref _call)}:0";
        var start = Now();
        var answer = result == "answered" ? start.AddSeconds(7) : (DateTimeOffset?)null;
        var release = answer?.AddSeconds(AnsweredSeconds) ?? start.AddSeconds(result == "busy" ? 3 : 30);
        var record = answer is null ? null : Interlocked.Increment(ref _record).ToString(CultureInfo.InvariantCulture);
        var call = new Call(callId, abonent.UserId, phone, result, start, answer, release, record);
        var targets = _subscriptions.Values.Where(s => s.ExpiresAt > start && (s.Pattern is null || FindAbonent(s.Pattern)?.UserId == abonent.UserId)).ToList();
        var factory = Provider.GetRequiredService<IHttpClientFactory>();
        _ = Task.Run(async () =>
        {
            using var http = factory.CreateClient();
            // Each subscription gets its events in order; subscriptions do not wait for each other.
            await Task.WhenAll(targets.Select(async s =>
            {
                var sequence = 0;
                await Send(http, s.Url, EventXml(s, abonent, call, "CallOriginatedEvent", ++sequence));
                if (call.Answer is not null) await Send(http, s.Url, EventXml(s, abonent, call, "CallAnsweredEvent", ++sequence));
                _calls[callId] = call;   // the statistics know the call once it is over
                await Send(http, s.Url, EventXml(s, abonent, call, "CallReleasedEvent", ++sequence));
            }));
            _calls[callId] = call;
        });
        return Results.Text(System.Text.Json.JsonSerializer.Serialize(callId), "application/json; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>An inbound call to the abonent (CallReceivedEvent, then answered or not, released), for tests and demos.</summary>
    public async Task<string> IncomingCallAsync(string pattern, string fromPhone, bool answered = true)
    {
        var abonent = FindAbonent(pattern) ?? throw new ArgumentException($"no abonent {pattern}");
        var start = Now();
        var call = new Call($"callhalf-{Interlocked.Increment(ref _call)}:0", abonent.UserId, fromPhone, answered ? "answered" : "no_answer",
            start, answered ? start.AddSeconds(5) : null, start.AddSeconds(answered ? 65 : 20), null, Inbound: true);
        using var http = new HttpClient();
        foreach (var s in _subscriptions.Values.Where(s => s.ExpiresAt > start && (s.Pattern is null || FindAbonent(s.Pattern)?.UserId == abonent.UserId)))
        {
            await Send(http, s.Url, EventXml(s, abonent, call, "CallReceivedEvent", 1));
            if (answered) await Send(http, s.Url, EventXml(s, abonent, call, "CallAnsweredEvent", 2));
            await Send(http, s.Url, EventXml(s, abonent, call, "CallReleasedEvent", 3));
        }
        _calls[call.CallId] = call;
        return call.CallId;
    }

    async Task Send(HttpClient http, string url, string xml)
    {
        await Task.Delay(EventDelay);
        Events.Enqueue((url, xml));
        try
        {
            using var content = new StringContent(xml, Encoding.UTF8, "application/xml");
            using var _ = await http.PostAsync(url, content);
        }
        catch (HttpRequestException) { }
    }

    /// <summary>A BroadWorks XSI event as the PBX posts it (xsi: the XSI namespace, xsi1: XML Schema instance).</summary>
    static string EventXml(Subscription s, Abonent abonent, Call call, string type, int sequence)
    {
        XNamespace x = XsiNamespace;
        XNamespace xi = "http://www.w3.org/2001/XMLSchema-instance";
        var state = type switch { "CallAnsweredEvent" => "Active", "CallReleasedEvent" => "Released", _ => "Alerting" };
        var callElement = new XElement(x + "call",
            new XElement(x + "callId", call.CallId),
            new XElement(x + "extTrackingId", $"{call.CallId.Split('-', ':')[1]}:1"),
            new XElement(x + "personality", call.Inbound ? "Terminator" : "Originator"),
            new XElement(x + "state", state),
            new XElement(x + "remoteParty",
                new XElement(x + "address", new XAttribute("countryCode", "7"), $"tel:+{call.Phone}"),
                new XElement(x + "callType", "Network")),
            new XElement(x + "startTime", call.Start.ToUnixTimeMilliseconds()));
        if (type is "CallAnsweredEvent" or "CallReleasedEvent" && call.Answer is { } answer) callElement.Add(new XElement(x + "answerTime", answer.ToUnixTimeMilliseconds()));
        if (type == "CallReleasedEvent")
        {
            callElement.Add(new XElement(x + "releaseTime", call.Release.ToUnixTimeMilliseconds()));
            if (call.Result != "answered")
                callElement.Add(new XElement(x + "releaseCause",
                    new XElement(x + "internalReleaseCause", call.Result == "busy" ? "Busy" : "Temporarily Unavailable"),
                    new XElement(x + "cdrTerminationCause", call.Result == "busy" ? "017" : "019")));
        }
        var root = new XElement(x + "Event",
            new XAttribute(XNamespace.Xmlns + "xsi", x), new XAttribute(XNamespace.Xmlns + "xsi1", xi),
            new XAttribute(xi + "type", "xsi:SubscriptionEvent"),
            new XElement(x + "eventID", Guid.NewGuid().ToString()),
            new XElement(x + "sequenceNumber", sequence),
            new XElement(x + "userId", abonent.UserId),
            new XElement(x + "externalApplicationId", "cloudpbx"),
            new XElement(x + "subscriptionId", s.Id),
            new XElement(x + "targetId", abonent.UserId),
            new XElement(x + "eventData", new XAttribute(xi + "type", $"xsi:{type}"), callElement));
        return new XDeclaration("1.0", "UTF-8", null) + Environment.NewLine + root.ToString(SaveOptions.DisableFormatting);
    }

    static JsonNode AbonentJson(Abonent a) => new JsonObject
    {
        ["userId"] = a.UserId, ["extension"] = a.Extension, ["phone"] = a.Phone,
        ["firstName"] = a.FirstName, ["lastName"] = a.LastName, ["department"] = "Операторы",
    };

    static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    static IResult Error(int status, string code, string description) =>
        Json(new JsonObject { ["errorCode"] = code, ["description"] = description }, status);
}
