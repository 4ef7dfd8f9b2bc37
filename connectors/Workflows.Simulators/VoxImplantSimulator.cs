using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Workflows.Simulators;

/// <summary>
/// Voximplant HTTP API: /platform_api/StartScenarios/ (account_id + api_key). It answers at once with
/// a fresh call_session_history_id, then, after <see cref="CallbackDelay"/>, POSTs the call's result to
/// the callback_url found in script_custom_data — what our scenario would do:
/// <c>{"task_id", "result": answered|no_answer|busy|invalid_number|answering_machine, "call_session_history_id", "phone", "duration"}</c>.
/// Outcome by the phone's last digit: 0 no_answer, 1 busy, 2 answering_machine, 3 invalid_number, else answered; <see cref="Outcomes"/> overrides per number.
/// </summary>
public sealed class VoxImplantSimulator : HttpSimulator
{
    public const string AccountId = "1000001";
    public const string ApiKey = "demo-vox-api-key";
    long _session = 2_764_738_900;

    public TimeSpan CallbackDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public ConcurrentDictionary<string, string> Outcomes { get; } = new();
    public ConcurrentQueue<JsonObject> Callbacks { get; } = new();
    public ConcurrentQueue<JsonObject> Started { get; } = new();

    public static string OutcomeByDigit(string phone) => phone.Length == 0 ? "invalid_number" : phone[^1] switch
    {
        '0' => "no_answer",
        '1' => "busy",
        '2' => "answering_machine",
        '3' => "invalid_number",
        _ => "answered",
    };

    protected override void Map(WebApplication app)
    {
        app.MapMethods("/platform_api/{method}", ["GET", "POST"], Handle);
    }

    async Task<IResult> Handle(string method, HttpRequest request)
    {
        var p = await ReadParams(request);
        var bearer = request.Headers.Authorization.ToString();
        var authorized = Str(p["account_id"]) == AccountId && Str(p["api_key"]) == ApiKey || bearer == $"Bearer {ApiKey}";
        if (!authorized) return Json(new JsonObject { ["error"] = new JsonObject { ["msg"] = "Authorization failed: invalid account_id or api_key", ["code"] = 100 } }, 401);
        if (TakeFailure()) return Json(new JsonObject { ["error"] = new JsonObject { ["msg"] = "Too many requests", ["code"] = 429 } }, 429);
        if (method != "StartScenarios") return Json(new JsonObject { ["error"] = new JsonObject { ["msg"] = $"Unknown method {method}", ["code"] = 20 } }, 404);
        if (!long.TryParse(Str(p["rule_id"]), out var rule) || rule <= 0)
            return Json(new JsonObject { ["error"] = new JsonObject { ["msg"] = "Invalid rule_id", ["code"] = 103 } });
        var custom = Str(p["script_custom_data"]) ?? "";
        JsonObject? data = null;
        try { data = JsonNode.Parse(custom) as JsonObject; } catch (System.Text.Json.JsonException) { }
        var session = Interlocked.Increment(ref _session);
        Started.Enqueue(new JsonObject { ["rule_id"] = rule, ["script_custom_data"] = custom, ["call_session_history_id"] = session });
        if (data is not null && Str(data["callback_url"]) is { Length: > 0 } url)
        {
            var phone = Str(data["phone"]) ?? "";
            var result = Outcomes.TryGetValue(phone, out var forced) ? forced : OutcomeByDigit(phone);
            var payload = new JsonObject
            {
                ["task_id"] = data["task_id"]?.DeepClone(),
                ["result"] = result,
                ["call_session_history_id"] = session,
                ["phone"] = phone,
                ["duration"] = result == "answered" ? 42 : 0,
            };
            var factory = Provider.GetRequiredService<IHttpClientFactory>();
            _ = Task.Run(async () =>
            {
                await Task.Delay(CallbackDelay);
                using var http = factory.CreateClient();
                try { using var _ = await http.PostAsJsonAsync(url, payload); } catch (HttpRequestException) { }
                Callbacks.Enqueue(payload);
            });
        }
        return Json(new JsonObject
        {
            ["result"] = 1,
            ["media_session_access_url"] = $"{Base}/media/{session}",
            ["media_session_access_secure_url"] = $"{Base}/media/{session}",
            ["call_session_history_id"] = session,
        });
    }
}
