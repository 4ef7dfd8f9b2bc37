using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Runtime;
using Workflows.Server.Auth;

namespace Workflows.Server.Api;

/// <summary>
/// Corezoid's signed API (<c>POST /api/2/json/{login}/{unixtime}/{signature}</c>): the public task API's
/// ops for server-to-server callers that sign with an API user's secret instead of a process hash.
/// </summary>
public static class SignedApi
{
    const long SignatureWindowSeconds = 300;

    public static IServiceCollection AddSignedApi(this IServiceCollection services) => services.AddSingleton<SignatureReplayGuard>();

    public static void Map(WebApplication app)
    {
        // {apiVersion} rather than a literal 2, so the public URL's literal "public" segment keeps precedence.
        app.MapPost("/api/{apiVersion:int}/json/{login}/{unixtime:long}/{signature}", Signed).WithTags("Public API")
            .RequireRateLimiting(PublicApi.UserRateLimitPolicy)
            .WithSummary("Corezoid's signed API: signature = hex(sha1(unixtime + secret + body + secret))");
    }

    /// <summary>
    /// Server-to-server calls of API users: each op names its process; the signature proves the sender
    /// knows the user's secret, and a time window plus a memory of used signatures stop replays.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Corezoid's signed API defines the signature as SHA-1; keeping its clients working is the point.")]
    static async Task<IResult> Signed(int apiVersion, string login, long unixtime, string signature, HttpRequest request, Accounts accounts,
        SignatureReplayGuard replays, ProcessRegistry processes, TaskService tasks, TaskWaker waker)
    {
        if (apiVersion != 2) return Refuse("the signed API is version 2: /api/2/json/{login}/{unixtime}/{signature}", 404);
        // The whole body first: the signature covers it, and it is checked as on the public URL before any op runs.
        var (bytes, tooLarge) = await Json.ReadBytes(request, request.HttpContext.RequestServices.GetRequiredService<Workflows.Engine.EngineOptions>().PublicMaxBodyBytes);
        if (tooLarge is not null) return PublicApi.Refusal(tooLarge);
        var user = await accounts.FindAsync(login);
        var secret = user is null ? null : accounts.SecretOf(user);
        // Over the body's bytes as sent, so a body that is not valid UTF-8 is still judged by its signature first.
        var around = Encoding.UTF8.GetBytes(secret ?? "");
        var expected = Convert.ToHexStringLower(SHA1.HashData([.. Encoding.UTF8.GetBytes(unixtime + (secret ?? "")), .. bytes!, .. around]));
        var valid = secret is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature.ToLowerInvariant()));
        if (!valid) return Refuse("the signature does not match this login's secret", 401);
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - unixtime) > SignatureWindowSeconds)
            return Refuse($"the time in the URL is more than {SignatureWindowSeconds} s away from the server's; check the clock", 401);
        if (!replays.FirstTime(signature, unixtime, SignatureWindowSeconds)) return Refuse("this signed request was already used", 401);

        var (root, unreadable) = Workflows.Engine.Security.JsonInput.Parse(bytes, Workflows.Engine.Security.JsonInput.Strict);
        if (unreadable is not null) return Refuse(unreadable, 200, "format_error");
        if (root is not JsonObject o || o["ops"] is not JsonArray ops) return Refuse("the body must be a JSON object with an \"ops\" array", 200, "format_error");
        if (ops.Count > PublicApi.MaxOps) return Refuse($"at most {PublicApi.MaxOps} ops per request, not {ops.Count}", 200, "format_error");
        if (user!.Role == Roles.Viewer && ops.Any(op => op?["type"]?.ToString() is not ("show" or "list")))
            return Refuse("viewers can only show and list tasks", 403);
        var answers = await Task.WhenAll(ops.Select(op =>
        {
            // Not an object: the public API's own answer for it ("each op must be a JSON object").
            if (op is not JsonObject) return PublicApi.Op(op, 0, tasks, waker, request.HttpContext.RequestAborted);
            var conv = op["conv_id"];
            long convId = 0;
            var known = conv is not null && long.TryParse(conv is JsonValue v && v.TryGetValue(out string? s) ? s : conv.ToJsonString(), out convId) && processes.Find(convId) is not null;
            return known
                ? PublicApi.Op(op, convId, tasks, waker, request.HttpContext.RequestAborted, signed: true)
                : Task.FromResult<JsonNode?>(new JsonObject { ["proc"] = "error", ["obj"] = "task", ["description"] = conv is null ? "conv_id is required in the signed API" : $"process {conv.ToJsonString()} does not exist" });
        }));
        return Results.Json(new JsonObject { ["request_proc"] = "ok", ["ops"] = new JsonArray(answers) });
    }

    static IResult Refuse(string description, int status, string proc = "error") =>
        Results.Json(new JsonObject { ["request_proc"] = proc, ["ops"] = new JsonArray(), ["description"] = description }, statusCode: status);
}

/// <summary>Remembers the signatures seen within the signed API's time window, so a captured request cannot be replayed.</summary>
public sealed class SignatureReplayGuard
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _seen = new();

    public bool FirstTime(string signature, long unixTime, long windowSeconds)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (_seen.Count > 10_000)
            foreach (var (old, at) in _seen)
                if (at < now - windowSeconds * 2) _seen.TryRemove(old, out _);
        return _seen.TryAdd(signature.ToLowerInvariant(), unixTime);
    }
}
