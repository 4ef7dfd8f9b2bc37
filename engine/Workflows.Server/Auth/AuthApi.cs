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

/// <summary>Sign-in for the designer and user management for admins (the signed API for scripts is Api/SignedApi.cs).</summary>
public static partial class AuthApi
{
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
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex LoginPattern();
}

/// <summary>Once the engine has migrated its store: migrates the server's own tables, then creates or updates the first admin.</summary>
public sealed class AdminBootstrap(Accounts accounts) : IHostedService
{
    public async Task StartAsync(CancellationToken cancel)
    {
        await accounts.MigrateAsync(cancel);
        await accounts.EnsureAdminAsync(cancel);
    }

    public Task StopAsync(CancellationToken cancel) => Task.CompletedTask;
}
