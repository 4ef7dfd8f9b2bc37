using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Workflows.Server.Auth;

/// <summary>
/// Who may do what: a cookie session for the designer, an API key (X-Api-Key or Authorization:
/// Bearer) for scripts. Viewers read, editors also change processes and tasks, admins also manage
/// users and credentials. The public task endpoints stay open and need the process's hash instead.
/// </summary>
public static class AuthSetup
{
    public const string ViewerPolicy = "viewer";
    public const string EditorPolicy = "editor";
    public const string AdminPolicy = "admin";
    const string ApiKeyScheme = "ApiKey";
    const string Either = "CookieOrApiKey";

    public static void AddWorkflowsAuth(this IServiceCollection services)
    {
        AccountsDb.Add(services);
        services.AddSingleton<Accounts>();
        services.AddSingleton<SignInThrottle>();
        services.AddAuthentication(Either)
            .AddPolicyScheme(Either, Either, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey("X-Api-Key") || context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.Ordinal)
                    ? ApiKeyScheme : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "workflows";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                // An API answers 401/403; it does not redirect to a login page.
                o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = 401; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = 403; return Task.CompletedTask; };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyScheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ViewerPolicy, p => p.RequireRole(Roles.All))
            .AddPolicy(EditorPolicy, p => p.RequireRole(Roles.Admin, Roles.Editor))
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin));
    }

    public static ClaimsPrincipal Principal(string login, string role, string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, login), new Claim(ClaimTypes.Role, role)], scheme));

    /// <summary>Reads by everyone signed in; changes only by editors and admins.</summary>
    public static TBuilder RequireViewerToReadEditorToChange<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization(ViewerPolicy);
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
                && !http.User.IsInRole(Roles.Editor) && !http.User.IsInRole(Roles.Admin))
                return Results.Problem(title: "Forbidden", detail: "viewers may read but not change; ask an admin for the editor role", statusCode: 403);
            return await next(context);
        });
        return builder;
    }

    sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Accounts accounts)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var key = Request.Headers["X-Api-Key"].ToString();
            if (key.Length == 0 && Request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)) key = auth["Bearer ".Length..].Trim();
            if (key.Length == 0) return AuthenticateResult.NoResult();
            var user = await accounts.FindByApiKeyAsync(key, Context.RequestAborted);
            return user is null
                ? AuthenticateResult.Fail("unknown API key")
                : AuthenticateResult.Success(new AuthenticationTicket(Principal(user.Login, user.Role, Scheme.Name), Scheme.Name));
        }
    }
}

/// <summary>
/// Slows password guessing: after 5 failed sign-ins for one login within 15 minutes, that login is
/// refused (429) until the window has passed. A success clears the count.
/// </summary>
public sealed class SignInThrottle
{
    const int MaxFailures = 5;
    static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Failures, DateTimeOffset Since)> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long the login must wait, or null if it may try now.</summary>
    public TimeSpan? Blocked(string login)
    {
        if (!_failures.TryGetValue(login, out var entry)) return null;
        var left = entry.Since + Window - DateTimeOffset.UtcNow;
        if (left <= TimeSpan.Zero) { _failures.TryRemove(login, out _); return null; }
        return entry.Failures >= MaxFailures ? left : null;
    }

    public void Failed(string login) =>
        _failures.AddOrUpdate(login, _ => (1, DateTimeOffset.UtcNow), (_, e) => (e.Failures + 1, e.Since));

    public void Succeeded(string login) => _failures.TryRemove(login, out _);
}
