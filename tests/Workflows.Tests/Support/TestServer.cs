using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Engine.Runtime;
using Workflows.Server;

namespace Workflows.Tests.Support;

/// <summary>
/// The real server on Kestrel at 127.0.0.1 with a real SQLite file in a temp folder, or a database of
/// its own on the tests' PostgreSQL (<see cref="TestPostgres"/>). Restartable on the same store, to test durability.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    readonly Dictionary<string, string?> _settings;
    readonly Action<IServiceCollection>? _services;
    WebApplication? _app;

    public TestServer(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? folder = null, string store = "sqlite")
    {
        Store = store;
        Folder = folder ?? Path.Combine(Path.GetTempPath(), "workflows-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Folder);
        _settings = new Dictionary<string, string?>
        {
            ["Workflows:ConnectionString"] = $"Data Source={Path.Combine(Folder, "workflows.db")}",
            ["Workflows:ProcessesFolder"] = Path.Combine(Folder, "no-bundled-processes"),
            ["Logging:LogLevel:Default"] = "Warning",
            // The fake services of the tests listen on loopback, which the outbound guard blocks by default.
            ["Workflows:OutboundAllow:0"] = "127.0.0.0/8",
            // The management API needs a signed-in user: the tests are the admin, by API key.
            ["Workflows:Admin:ApiKey"] = AdminKey,
            ["Workflows:Admin:Password"] = AdminPassword,
        };
        foreach (var (k, v) in settings ?? []) _settings[k] = v;
        _services = services;
    }

    public const string AdminKey = "wfk_test_admin_key";
    public const string AdminPassword = "test-admin-password";

    public string Folder { get; }
    /// <summary>"sqlite" or "postgres".</summary>
    public string Store { get; }
    /// <summary>The PostgreSQL database of this server, created at its first start and dropped at dispose.</summary>
    string? _database;
    public HttpClient Http { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

    public static async Task<TestServer> StartAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string store = "sqlite")
    {
        var server = new TestServer(settings, services, store: store);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        if (Store == "postgres" && _database is null)
        {
            _database = await TestPostgres.CreateDatabaseAsync();
            _settings["Workflows:Store"] = "postgres";
            _settings["Workflows:ConnectionString"] = _database;
            _settings["Workflows:Connectors:KeysFolder"] = Path.Combine(Folder, "keys");
        }
        _app = WorkflowsApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(_settings);
            _services?.Invoke(builder.Services);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public T Get<T>() where T : notnull => _app!.Services.GetRequiredService<T>();

    /// <summary>Uploads a definition and answers (conv_id, hash).</summary>
    public async Task<(long ConvId, string Hash)> CreateProcess(string definitionJson)
    {
        using var response = await Http.PostJsonAsync("/api/processes", definitionJson);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"process not created: {(int)response.StatusCode} {body}");
        var json = JsonNode.Parse(body)!;
        return ((long)json["conv_id"]!, (string)json["hash"]!);
    }

    public async Task<JsonNode> PostJson(string url, string json)
    {
        using var response = await Http.PostJsonAsync(url, json);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async Task<JsonNode> GetJson(string url) => JsonNode.Parse(await Http.GetStringAsync(url))!;

    /// <summary>Creates a task through the public API and returns its obj_id.</summary>
    public async Task<string> CreateTask(long convId, string hash, JsonObject data, string? reference = null)
    {
        var op = new JsonObject { ["type"] = "create", ["obj"] = "task", ["conv_id"] = convId, ["data"] = data };
        if (reference is not null) op["ref"] = reference;
        var answer = await PostJson($"/api/1/json/public/{convId}/{hash}", new JsonObject { ["ops"] = new JsonArray(op) }.ToJsonString());
        var first = answer["ops"]![0]!;
        if ((string?)first["proc"] != "ok") throw new InvalidOperationException($"task not created: {answer.ToJsonString()}");
        return (string)first["obj_id"]!;
    }

    public Task<JsonNode> Task(string objId) => GetJson($"/api/tasks/{objId}");

    /// <summary>Polls until the task is finished (or waiting, if asked), failing after the timeout.</summary>
    public async Task<JsonNode> WaitFor(string objId, string status = Workflows.Engine.Runtime.TaskPhases.Finished, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var task = await Task(objId);
            if ((string?)task["status"] == status) return task;
            if (DateTime.UtcNow > until) throw new TimeoutException($"task {objId} is not {status} after {timeoutMs} ms: {task.ToJsonString()}");
            await System.Threading.Tasks.Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_database is not null) await TestPostgres.DropDatabaseAsync(_database);
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
