using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Workflows.Simulators;

/// <summary>
/// A vendor simulator: a small Kestrel app on 127.0.0.1 (a free port) speaking the vendor's HTTP
/// shapes. <see cref="FailNext"/> makes the next N calls answer the vendor's rate-limit error.
/// </summary>
public abstract class HttpSimulator : IAsyncDisposable
{
    WebApplication? _app;
    int _failNext;
    int _calls;

    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>The next N vendor calls answer the vendor's rate-limit (or "temporarily unavailable") error.</summary>
    public int FailNext { get => Volatile.Read(ref _failNext); set => Volatile.Write(ref _failNext, value); }
    public int Calls => Volatile.Read(ref _calls);
    /// <summary>Messages this simulator accepted (for senders: telegram, SMS, e-mail), exposed at GET /sent.</summary>
    public ConcurrentQueue<JsonObject> Sent { get; } = new();

    public string Url(string path) => new Uri(BaseAddress, path).ToString();
    public string Base => BaseAddress.ToString().TrimEnd('/');

    public virtual async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Services.AddHttpClient();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path != "/sent") Interlocked.Increment(ref _calls);
            await next(context);
        });
        app.MapGet("/sent", () => Json(new JsonArray(Sent.Select(s => (JsonNode)s.DeepClone()).ToArray())));
        Map(app);
        await app.StartAsync();
        _app = app;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    protected IServiceProvider Provider => _app!.Services;

    protected abstract void Map(WebApplication app);

    /// <summary>True when this call should fail with the rate-limit error (and counts it down).</summary>
    protected bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failNext);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _failNext, left - 1, left) == left) return true;
        }
    }

    protected static IResult Json(JsonNode body, int status = 200) =>
        Results.Text(body.ToJsonString(), "application/json; charset=utf-8", Encoding.UTF8, status);

    /// <summary>Query, form and JSON body parameters in one object (the vendors accept all three).</summary>
    protected static async Task<JsonObject> ReadParams(HttpRequest request)
    {
        var all = new JsonObject();
        foreach (var (k, v) in request.Query) all[k] = v.ToString();
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            foreach (var (k, v) in form) all[k] = v.ToString();
        }
        else if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, leaveOpen: true);
            var text = await reader.ReadToEndAsync();
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    if (JsonNode.Parse(text) is JsonObject body)
                        foreach (var (k, v) in body.ToList()) { body.Remove(k); all[k] = v; }
                }
                catch (System.Text.Json.JsonException) { all["__invalid_json"] = true; }
            }
        }
        return all;
    }

    protected static string? Str(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => node.ToJsonString(),
    };

    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }
}
