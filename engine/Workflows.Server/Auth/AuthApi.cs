using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Workflows.Engine.Runtime;
using Workflows.Server.Api;

namespace Workflows.Server.Auth;

/// <summary>Sign-in for the designer, user management for admins, and Corezoid's signed API for scripts.</summary>
public static partial class AuthApi
{
    const long SignatureWindowSeconds = 300;

    public static void Map(WebApplication app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Access");
        auth.MapPost("/login", async (HttpContext context, Accounts accounts, SignInThrottle throttle) =>
        {
            var (body, problem) = await Json.ReadObject(context.Request);
            if (problem is not null) return problem;
            var login = (string?)body!["login"] ?? "";
            var password = (string?)body["password"] ?? "";
            if (throttle.Blocked(login) is { } wait)
            {
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem(title: "Sign-in paused", detail: $"too many failed sign-ins for '{login}'; try again in {Math.Ceiling(wait.TotalMinutes)} minutes", statusCode: 429);
            }
            var user = await accounts.CheckPasswordAsync(login, password, context.RequestAborted);
            if (user is null)
            {
                throttle.Failed(login);
                return Results.Problem(title: "Sign-in failed", detail: "unknown login or wrong password", statusCode: 401);
            }
            throttle.Succeeded(login);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, AuthSetup.Principal(user.Login, user.Role, CookieAuthenticationDefaults.AuthenticationScheme));
            return Results.Json(new { login = user.Login, role = user.Role });
        }).AllowAnonymous();
        auth.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).AllowAnonymous();
        auth.MapGet("/me", (ClaimsPrincipal user) => Results.Json(new { login = user.Identity!.Name, role = user.FindFirstValue(ClaimTypes.Role) }))
            .RequireAuthorization(AuthSetup.ViewerPolicy);
        auth.MapPost("/password", async (HttpContext context, ClaimsPrincipal user, Accounts accounts) =>
        {
            var (body, problem) = await Json.ReadObject(context.Request);
            if (problem is not null) return problem;
            var login = user.Identity!.Name!;
            if (await accounts.CheckPasswordAsync(login, (string?)body!["current"] ?? "") is null)
                return Results.Problem(title: "Password not changed", detail: "the current password is wrong", statusCode: 400);
            var next = (string?)body["new"] ?? "";
            if (next.Length < 10) return Results.Problem(title: "Password not changed", detail: "a password needs at least 10 characters", statusCode: 400);
            await accounts.SetPasswordAsync(login, next);
            return Results.NoContent();
        }).RequireAuthorization(AuthSetup.ViewerPolicy);

        var users = app.MapGroup("/api/users").WithTags("Access").RequireAuthorization(AuthSetup.AdminPolicy);
        users.MapGet("", async (Accounts accounts) =>
            Results.Json((await accounts.ListAsync()).Select(u => new { login = u.Login, role = u.Role, has_password = u.PasswordHash is not null, created_at = Json.Iso(u.CreatedAt) })));
        users.MapPost("", async (HttpContext context, Accounts accounts) =>
        {
            var (body, problem) = await Json.ReadObject(context.Request);
            if (problem is not null) return problem;
            var login = (string?)body!["login"] ?? "";
            var role = (string?)body["role"] ?? Roles.Viewer;
            var password = (string?)body["password"];
            if (!LoginPattern().IsMatch(login)) return Problems.BadRequest("login: 1-64 letters, digits, '.', '_', '-' or '@'");
            if (!Roles.All.Contains(role)) return Problems.BadRequest($"role must be one of {string.Join(", ", Roles.All)}");
            if (password is { Length: < 10 }) return Problems.BadRequest("a password needs at least 10 characters");
            try
            {
                var keys = await accounts.CreateAsync(login, password, role);
                return Results.Json(new { login, role, api_key = keys.ApiKey, api_secret = keys.ApiSecret }, statusCode: 201);
            }
            catch (EngineException e) { return Problems.From(e); }
        });
        users.MapPost("/{login}/keys", async (string login, Accounts accounts) =>
        {
            try
            {
                var keys = await accounts.RekeyAsync(login);
                return Results.Json(new { login, api_key = keys.ApiKey, api_secret = keys.ApiSecret });
            }
            catch (EngineException e) { return Problems.From(e); }
        }).WithSummary("Rotates a user's API key and signed-API secret");
        users.MapDelete("/{login}", async (string login, Accounts accounts) =>
        {
            try { await accounts.DeleteAsync(login); return Results.NoContent(); }
            catch (EngineException e) { return Problems.From(e); }
        });

        // {apiVersion} rather than a literal 2, so the public URL's literal "public" segment keeps precedence.
        app.MapPost("/api/{apiVersion:int}/json/{login}/{unixtime:long}/{signature}", Signed).WithTags("Public API")
            .RequireRateLimiting(PublicApi.UserRateLimitPolicy)
            .WithSummary("Corezoid's signed API: signature = hex(sha1(unixtime + secret + body + secret))");
    }

    /// <summary>
    /// Server-to-server calls of API users: each op names its process; the signature proves the sender
    /// knows the user's secret, and a time window plus a memory of used signatures stop replays.
    /// </summary>
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

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex LoginPattern();
}

/// <summary>Creates or updates the first admin once the store is migrated.</summary>
public sealed class AdminBootstrap(Accounts accounts) : IHostedService
{
    public Task StartAsync(CancellationToken cancel) => accounts.EnsureAdminAsync(cancel);
    public Task StopAsync(CancellationToken cancel) => Task.CompletedTask;
}
