using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Server.Demo;
using Workflows.Engine.Runtime;
using Workflows.Simulators;
using Workflows.Tests.Support;

namespace Workflows.Tests.Processes;

/// <summary>
/// One server per template fixture: the bundled processes folder loaded at first start, the vendor
/// simulators with the demo credentials (demo-*) pointing at them, and a manual clock (fixtures run in
/// parallel, so each has its own clock and simulators).
/// </summary>
[Category(Categories.Flows)]
public abstract class TemplateFixture
{
    protected TestServer Server { get; private set; } = null!;
    protected SimulatorSet Sims { get; private set; } = null!;
    protected ManualClock Clock { get; } = new();

    /// <summary>Extra server settings of a fixture.</summary>
    protected virtual Dictionary<string, string?> Settings => [];

    public static string ProcessesFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "processes");
                if (File.Exists(Path.Combine(candidate, "normalize-phone.json"))) return candidate;
            }
            throw new DirectoryNotFoundException("the repository's processes folder was not found");
        }
    }

    [OneTimeSetUp]
    public async Task StartTemplates()
    {
        Sims = await SimulatorSet.StartAsync();
        Sims.VoxImplant.CallbackDelay = TimeSpan.FromMilliseconds(50);
        var settings = new Dictionary<string, string?>
        {
            ["Workflows:ProcessesFolder"] = ProcessesFolder,
            ["Workflows:Connectors:RetryAttempts"] = "1",
            ["Workflows:Connectors:RetryBaseDelayMs"] = "5",
            ["Workflows:Connectors:RetryMaxDelayMs"] = "20",
            ["Workflows:Connectors:TimeoutMs"] = "5000",
        };
        foreach (var (k, v) in Settings) settings[k] = v;
        Server = await TestServer.StartAsync(settings, s => s.AddSingleton<IClock>(Clock));
        foreach (var c in DemoMode.CredentialsFor(Sims)) await PutCredential(c.Name, c.Kind, c.Fields);
    }

    [OneTimeTearDown]
    public async Task StopTemplates()
    {
        await Server.DisposeAsync();
        await Sims.DisposeAsync();
    }

    protected async Task PutCredential(string name, string kind, IReadOnlyDictionary<string, string> fields)
    {
        var body = new JsonObject { ["kind"] = kind, ["fields"] = new JsonObject(fields.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))) };
        using var response = await Server.Http.PutJsonAsync($"/api/credentials/{name}", body.ToJsonString());
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    protected async Task RestoreDemoCredentials()
    {
        foreach (var c in DemoMode.CredentialsFor(Sims)) await PutCredential(c.Name, c.Kind, c.Fields);
    }

    /// <summary>Moves the manual clock to the given moment (forwards or back).</summary>
    protected void SetClock(DateTimeOffset at) => Clock.Advance(at - Clock.UtcNow);

    protected static DateTimeOffset Moscow(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(3));

    protected async Task<string> HashOf(long convId) => (string)(await Server.GetJson($"/api/processes/{convId}"))["hash"]!;

    /// <summary>Creates a task through the process's public URL (as the shop would).</summary>
    protected async Task<string> Create(long convId, JsonObject data, string? reference = null) =>
        await Server.CreateTask(convId, await HashOf(convId), data, reference);

    /// <summary>A modify op by ref through the public URL (tracking events, callbacks).</summary>
    protected async Task<JsonNode> Modify(long convId, string reference, JsonObject data)
    {
        var op = new JsonObject { ["type"] = "modify", ["obj"] = "task", ["ref"] = reference, ["data"] = data };
        var answer = await Server.PostJson($"/api/1/json/public/{convId}/{await HashOf(convId)}", new JsonObject { ["ops"] = new JsonArray(op) }.ToJsonString());
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("ok"), answer.ToJsonString());
        return answer;
    }

    protected async Task<JsonArray> Tasks(long convId, string? reference = null)
    {
        var url = $"/api/processes/{convId}/tasks?limit=1000" + (reference is null ? "" : $"&ref={Uri.EscapeDataString(reference)}");
        return (await Server.GetJson(url)).AsArray();
    }

    /// <summary>Waits until a task with this ref exists in the process and answers its obj_id.</summary>
    protected async Task<string> TaskIdByRef(long convId, string reference, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var list = await Tasks(convId, reference);
            if (list.Count > 0) return (string)list[0]!["obj_id"]!;   // newest first
            if (DateTime.UtcNow > until) throw new TimeoutException($"no task with ref {reference} in process {convId}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the task is in the given node (and status, if given).</summary>
    protected async Task<JsonNode> WaitInNode(string objId, string nodeId, string? status = null, int timeoutMs = 10_000) =>
        await WaitInNode(objId, nodeId, status, since: null, timeoutMs);

    /// <summary>
    /// After moving the clock: waits until the task is in the node again having moved since then (its
    /// change time is the new clock time), not still sitting there from before the move.
    /// </summary>
    protected Task<JsonNode> WaitInNodeAfterAdvance(string objId, string nodeId, string? status = null) =>
        WaitInNode(objId, nodeId, status, since: Clock.UtcNow, 10_000);

    /// <summary>
    /// After moving the clock: waits until the task has moved since then, wherever it is now. For a
    /// timer that leads through a brief state (a call answered at once): polling for that state can miss it.
    /// </summary>
    protected async Task<JsonNode> WaitMovedAfterAdvance(string objId, int timeoutMs = 10_000)
    {
        var since = Clock.UtcNow;
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var task = await Server.Task(objId);
            if (DateTimeOffset.Parse((string)task["changed_at"]!, System.Globalization.CultureInfo.InvariantCulture) >= since) return task;
            if (DateTime.UtcNow > until) throw new TimeoutException($"task {objId} did not move after the clock moved to {since:O}: {task.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    async Task<JsonNode> WaitInNode(string objId, string nodeId, string? status, DateTimeOffset? since, int timeoutMs)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var task = await Server.Task(objId);
            if ((string?)task["node_id"] == nodeId && (status is null || (string?)task["status"] == status)
                && (since is null || DateTimeOffset.Parse((string)task["changed_at"]!, System.Globalization.CultureInfo.InvariantCulture) >= since)) return task;
            if ((string?)task["status"] == "finished" && (string?)task["node_id"] != nodeId)
                throw new AssertionException($"task {objId} finished in {(string?)task["node_id"]}, expected {nodeId}: {task.ToJsonString()}");
            if (DateTime.UtcNow > until) throw new TimeoutException($"task {objId} is not in {nodeId} after {timeoutMs} ms: {task.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the task finished and checks the final node.</summary>
    protected async Task<JsonNode> Finished(string objId, string finalNode, int timeoutMs = 10_000)
    {
        var task = await WaitInNode(objId, finalNode, "finished", timeoutMs);
        return task;
    }

    protected static string Data(JsonNode task, string key) => task["data"]![key]?.ToString() ?? "";

    /// <summary>Texts the simulator accepted that contain a marker (the simulators are shared by the fixture's tests).</summary>
    protected static List<JsonObject> SentWith(HttpSimulator sim, string field, string contains) =>
        sim.Sent.Where(m => (m[field]?.ToString() ?? "").Contains(contains, StringComparison.Ordinal)).ToList();

    /// <summary>E-mails whose subject, body or recipients contain the text (waits a moment: the SMTP simulator records after the conversation).</summary>
    protected async Task<List<JsonObject>> Mails(string contains, int atLeast = 1)
    {
        var until = DateTime.UtcNow.AddSeconds(3);
        while (true)
        {
            var found = Sims.Smtp.Sent.Where(m => Subject(m).Contains(contains, StringComparison.Ordinal) || (m["body"]?.ToString() ?? "").Contains(contains, StringComparison.Ordinal)
                || (m["to"]?.ToJsonString() ?? "").Contains(contains, StringComparison.Ordinal)).ToList();
            if (found.Count >= atLeast || DateTime.UtcNow > until) return found;
            await Task.Delay(20);
        }
    }

    /// <summary>The subject with every RFC 2047 base64 word decoded (the SMTP simulator decodes them already; kept for raw subjects).</summary>
    protected static string Subject(JsonObject mail)
    {
        var subject = mail["subject"]?.ToString() ?? "";
        var words = System.Text.RegularExpressions.Regex.Matches(subject, @"=\?utf-8\?B\?([^?]*)\?=", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (words.Count == 0) return subject;
        return Encoding.UTF8.GetString(words.SelectMany(w => Convert.FromBase64String(w.Groups[1].Value)).ToArray());
    }

    protected static JsonObject J(string json) => JsonNode.Parse(json)!.AsObject();
}

/// <summary>Test-side helpers for the vendor simulators.</summary>
public static class SimulatorHelpers
{
    /// <summary>Creates an order in the RetailCRM simulator (as the shop's site would), answering its CRM id.</summary>
    public static async Task<int> CreateRetailCrmOrder(this RetailCrmSimulator crm, JsonObject order)
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["order"] = order.ToJsonString() });
        using var response = await http.PostAsync(crm.Url($"/api/v5/orders/create?apiKey={RetailCrmSimulator.ApiKey}"), content);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That((bool?)body["success"], Is.True, body.ToJsonString());
        return (int)body["id"]!;
    }

    public static JsonObject OrderByExternalId(this RetailCrmSimulator crm, string externalId) =>
        crm.Orders.Values.Single(o => o["externalId"]?.ToString() == externalId);
}
