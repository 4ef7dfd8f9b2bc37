using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Workflows.Connectors;
using Workflows.Connectors.Beeline;
using Workflows.Connectors.Credentials;
using Workflows.Engine;
using Workflows.Engine.Runtime;
using Workflows.Engine.Store;
using Workflows.Server.Api;
using Workflows.Server.Auth;

namespace Workflows.Server;

/// <summary>Builds the server: the engine, the public and management APIs, the designer's files.</summary>
public static class WorkflowsApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root = the binaries' folder: appsettings.json is found whatever the working directory,
        // and the configuration watcher does not watch the working directory where the database writes.
        // The application's name is the server's also when a test host builds it (the OpenAPI document's title and tags use it).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory, ApplicationName = typeof(WorkflowsApp).Assembly.GetName().Name,
        });
        configure?.Invoke(builder);
        ListenByDefault(builder);
        var options = builder.Configuration.GetSection("Workflows").Get<EngineOptions>() ?? new EngineOptions();
        options.ProcessesFolder ??= Path.Combine(AppContext.BaseDirectory, "processes");
        // Demo mode runs the vendor simulators on this machine: let the connectors reach them.
        if (builder.Configuration.GetValue<bool>("Workflows:Demo")) options.OutboundAllow.Add("127.0.0.0/8");
        builder.Services.AddWorkflowsEngine(options);
        builder.Services.AddWorkflowsConnectors(builder.Configuration);
        builder.AddWorkflowsTelemetry();
        Demo.DemoMode.AddDemoMode(builder.Services, builder.Configuration);
        builder.Services.AddOpenApi(OpenApiShapes.Configure);
        builder.Services.AddSingleton<MetricsEndpoint>();
        builder.Services.AddWorkflowsDataProtection(builder.Configuration);
        builder.Services.AddWorkflowsAuth();
        builder.Services.AddSignedApi();
        builder.Services.AddHostedService<AdminBootstrap>();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
        });
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 4 * 1024 * 1024);
        builder.Services.AddRateLimiter(limits =>
        {
            limits.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limits.OnRejected = async (context, cancel) =>
            {
                if (context.Lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retry))
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.HttpContext.Response.WriteAsJsonAsync(new { request_proc = "error", ops = Array.Empty<object>(), description = "too many requests (per process on the public URLs, per user elsewhere); slow down and retry after the time in Retry-After" }, cancel);
            };
            // One token bucket per API user (by login; the signed API names it in its URL).
            limits.AddPolicy(PublicApi.UserRateLimitPolicy, context => PerSecond(options.UserRequestsPerSecond,
                context.User.Identity?.Name ?? context.Request.RouteValues["login"]?.ToString() ?? context.Connection.RemoteIpAddress?.ToString() ?? ""));
            // One token bucket per process: a flood into one shop's process cannot starve the others.
            limits.AddPolicy(PublicApi.RateLimitPolicy, context => PerSecond(options.PublicRequestsPerSecond, context.Request.RouteValues["convId"]?.ToString() ?? ""));
        });

        var app = builder.Build();
        app.Services.GetRequiredService<MetricsEndpoint>(); // listening from the start
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            // Anything that escaped the endpoints: answer as a problem, never as a bare 500 page.
            var failure = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, title) = failure switch
            {
                BadHttpRequestException b => (b.StatusCode, "Bad request"),
                JsonException => (400, "The request body is not readable JSON"),
                // Bodies are checked before use (JsonInput); what is left is a value of another type than the field wants ({"login": 5}).
                InvalidOperationException e when e.StackTrace?.Contains("System.Text.Json", StringComparison.Ordinal) == true => (400, "A value in the request body has the wrong type"),
                EngineException e => (Problems.StatusOf(e.Kind), Problems.TitleOf(e.Kind)),
                _ => (500, "The server failed to handle the request"),
            };
            context.Response.StatusCode = status;
            await Results.Problem(title: title, detail: failure?.Message, statusCode: status).ExecuteAsync(context);
        }));
        // The designer is copied next to the binaries, so it is found whatever the working directory.
        var designer = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(
            Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "wwwroot")).FullName);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = designer });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = designer });
        app.MapOpenApi();
        app.MapGet("/health", async (EngineHost host, TaskRunner runner, TaskWriter writer, TimerService timers, RetentionService retention, Engine.Scripting.ScriptHost scripts,
            StoreProvider provider, NodeMembership node, Microsoft.EntityFrameworkCore.IDbContextFactory<WorkflowsDb> dbs) =>
        {
            string store;
            long owned = 0;
            IReadOnlyList<long> live = [];
            try
            {
                await using var db = await dbs.CreateDbContextAsync();
                store = await db.Database.CanConnectAsync() ? "ok" : "unreachable";
                // The work this node owns: unfinished tasks it moves or whose timers it fires.
                var me = node.NodeId;
                owned = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.LongCountAsync(
                    db.Tasks, t => t.Owner == me && t.Status != Workflows.Engine.Runtime.TaskPhases.Finished);
                live = await node.LiveNodesAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException) { store = "unreachable: " + e.Message; }
            // Script threads stuck inside one built-in call past their limit: tasks still move (each
            // script gets a new thread), but each stuck one holds a thread and its memory until the call returns.
            var stuck = scripts.Slots.Stuck;
            var ready = host.Ready && store == "ok";
            return Results.Json(new
            {
                status = ready ? (stuck > 0 ? "degraded" : "ready") : host.Ready ? "degraded" : "starting",
                store,
                script_slots = new { busy = scripts.Slots.Busy, stuck, threads = scripts.Slots.Threads },
                store_kind = provider.Name,
                node = new { id = node.NodeId, name = host.NodeName, owned_tasks = owned, live_nodes = live },
                timer_lag_ms = timers.LastLagMs,
                timers_fired = timers.Fired,
                timers_read_ahead = timers.ReadAhead,
                tasks_pruned = retention.Pruned,
                queue_depth = runner.QueueDepth,
                running = runner.Running,
                batches = writer.Batches,
                rows = writer.Rows,
                writer_busy_seconds = Math.Round(writer.Busy.TotalSeconds, 3),
                wal_bytes = provider.WalBytes,
                wal_truncations = provider.WalTruncations,
                // Still growing under steady load: the node is still compiling its hot paths (warming up).
                jit_compiled_methods = System.Runtime.JitInfo.GetCompiledMethodCount(),
            }, statusCode: ready ? 200 : 503);
        });
        app.MapGet("/metrics", (MetricsEndpoint metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4"));
        AuthApi.Map(app);
        PublicApi.Map(app);
        SignedApi.Map(app);
        ManagementApi.Map(app);
        EnvVarsApi.Map(app);
        app.MapCredentialsApi();
        app.MapBeelineEvents();
        app.MapFallback("/api/{**rest}", () => Results.Problem(title: "Not found", detail: "no such API endpoint", statusCode: 404));
        app.MapFallbackToFile("index.html", new StaticFileOptions { FileProvider = designer });
        return app;
    }

    /// <summary>The address served when none is given by ASP.NET Core's own settings.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Listens on <see cref="DefaultUrl"/> unless the host was told where to listen the usual ways
    /// (ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS / _HTTPS_PORTS, --urls, Kestrel:Endpoints). Setting
    /// Urls in appsettings.json instead would silently win over the variables container platforms set.
    /// </summary>
    static void ListenByDefault(WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        if (string.IsNullOrEmpty(config[WebHostDefaults.ServerUrlsKey]) && string.IsNullOrEmpty(config[WebHostDefaults.HttpPortsKey])
            && string.IsNullOrEmpty(config[WebHostDefaults.HttpsPortsKey]) && !config.GetSection("Kestrel:Endpoints").Exists())
            builder.WebHost.UseUrls(DefaultUrl);
    }

    /// <summary>A token bucket per key: the rate per second, bursts of twice that; 0 or less means no limit.</summary>
    static System.Threading.RateLimiting.RateLimitPartition<string> PerSecond(int perSecond, string key) => perSecond <= 0
        ? System.Threading.RateLimiting.RateLimitPartition.GetNoLimiter("none")
        : System.Threading.RateLimiting.RateLimitPartition.GetTokenBucketLimiter(key, _ => new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond * 2,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
