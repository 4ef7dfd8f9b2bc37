using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Workflows.Tests.Support;

/// <summary>A small HTTP service on 127.0.0.1 for API-call nodes to call: echo, status codes, slowness, text.</summary>
public sealed class FakeService : IAsyncDisposable
{
    WebApplication _app = null!;
    int _calls;

    public Uri BaseAddress { get; private set; } = null!;
    public int Calls => Volatile.Read(ref _calls);
    /// <summary>While set, /slow waits for it before answering.</summary>
    public TaskCompletionSource Gate { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>While false, /flaky answers 503 (a CRM that is down).</summary>
    public bool Healthy { get; set; }
    /// <summary>While set, each request's path and W3C traceparent header ("" when none came) are kept in <see cref="Requests"/>.</summary>
    public bool RecordRequests { get; set; }
    public ConcurrentQueue<(string Path, string TraceParent)> Requests { get; } = new();
    /// <summary>What an OpenTelemetry exporter sent to POST /v1/traces, /v1/metrics (OTLP over HTTP, protobuf).</summary>
    public ConcurrentQueue<(string Signal, byte[] Body)> Exports { get; } = new();

    public static async Task<FakeService> StartAsync()
    {
        var service = new FakeService();
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref service._calls);
            if (service.RecordRequests) service.Requests.Enqueue((context.Request.Path, context.Request.Headers.TraceParent.ToString()));
            await next(context);
        });
        app.MapPost("/echo", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var answer = new JsonObject
            {
                ["method"] = request.Method,
                ["content_type"] = request.ContentType,
                ["header_x_token"] = request.Headers["X-Token"].ToString(),
                ["body"] = body,
            };
            return Results.Text(answer.ToJsonString(), "application/json");
        });
        // A CRM taking a lead: the e2e benchmark's API call (tests/Workflows.Benchmarks links this file).
        app.MapPost("/lead", () => Results.Text("{\"ok\":true,\"lead_id\":42}", "application/json"));
        app.MapGet("/order/{id}", (string id) => Results.Text(new JsonObject { ["order_id"] = id, ["status"] = "paid", ["total"] = 1250.5 }.ToJsonString(), "application/json"));
        app.MapGet("/status/{code:int}", (int code) => Results.Text("{\"error\":\"status " + code + "\"}", "application/json", statusCode: code));
        app.MapGet("/flaky", () => service.Healthy
            ? Results.Text("{\"lead_id\":77}", "application/json")
            : Results.Text("{\"error\":\"down\"}", "application/json", statusCode: 503));
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        app.MapGet("/text", () => Results.Text("<html>not json</html>", "text/html"));
        app.MapGet("/slow", async () => { await service.Gate.Task; return Results.Text("{\"slow\":true}", "application/json"); });
        app.MapGet("/sleep/{ms:int}", async (int ms) => { await Task.Delay(ms); return Results.Text("{\"slept\":true}", "application/json"); });
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            service.Exports.Enqueue((signal, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        service._app = app;
        service.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return service;
    }

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public async ValueTask DisposeAsync()
    {
        Gate.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
