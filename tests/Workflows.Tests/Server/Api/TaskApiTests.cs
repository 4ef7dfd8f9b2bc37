using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Server.Api;

/// <summary>The rest of Corezoid's task API: show, delete and list on the signed API and the management API; modify and is_sync.</summary>
public sealed class TaskApiTests
{
    TestServer _server = null!;
    string _login = "";
    string _secret = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = new TestServer(new() { ["Workflows:StopGraceMs"] = "300" });
        await _server.StartAsync();
        _login = "api-" + Guid.NewGuid().ToString("n")[..6];
        using var response = await _server.Http.PostJsonAsync("/api/users", $$"""{"login":"{{_login}}","role":"editor"}""");
        _secret = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["api_secret"]!;
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Signs as Corezoid's signed API defines it (SHA-1).")]
    async Task<JsonNode> Signed(params JsonObject[] ops)
    {
        var body = new JsonObject { ["ops"] = new JsonArray(ops.Select(o => (JsonNode)o).ToArray()) }.ToJsonString();
        var time = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(time + _secret + body + _secret)));
        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        using var response = await anonymous.PostJsonAsync($"/api/2/json/{_login}/{time}/{signature}", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    async Task<(long, string)> WaitingProcess(bool isSync = true) => await _server.CreateProcess(Definition("wait for the robot",
        Node("start", "start", exits: P("""{"next":"wait"}""")),
        Node("wait", "wait_callback", new JsonObject { ["timeout_seconds"] = 86400, ["is_sync"] = isSync }, P("""{"next":"done","timeout":"done"}""")),
        Final("done")));

    [Test]
    public async Task Show_list_and_delete_by_ref_or_obj_id_on_the_signed_api()
    {
        var (conv, hash) = await WaitingProcess();
        var first = await _server.CreateTask(conv, hash, P("""{"phone":"7916"}"""), "lead-1");
        await _server.CreateTask(conv, hash, P("""{"phone":"7925"}"""), "lead-2");
        await _server.WaitFor(first, "waiting");

        var shown = (await Signed(P($$"""{"type":"show","obj":"task","conv_id":{{conv}},"ref":"lead-1","history":true}""")))["ops"]![0]!;
        Assert.That((string?)shown["proc"], Is.EqualTo("ok"), shown.ToJsonString());
        Assert.That(((string?)shown["obj_id"], (string?)shown["node_id"], (string?)shown["status"], (string?)shown["data"]!["phone"]), Is.EqualTo((first, "wait", "waiting", "7916")));
        Assert.That(shown["history"]!.AsArray().Select(h => (string?)h!["node_id"]), Is.EqualTo(new[] { "start", "wait" }));
        var byId = (await Signed(P($$"""{"type":"show","obj":"task","conv_id":{{conv}},"obj_id":"{{first}}"}""")))["ops"]![0]!;
        Assert.That((string?)byId["ref"], Is.EqualTo("lead-1"));

        var listed = (await Signed(P($$"""{"type":"list","obj":"task","conv_id":{{conv}},"node_id":"wait"}""")))["ops"]![0]!;
        Assert.That(listed["list"]!.AsArray().Select(t => (string?)t!["ref"]), Is.EquivalentTo(new[] { "lead-1", "lead-2" }));

        var deleted = (await Signed(P($$"""{"type":"delete","obj":"task","conv_id":{{conv}},"ref":"lead-1"}""")))["ops"]![0]!;
        Assert.That((string?)deleted["proc"], Is.EqualTo("ok"), deleted.ToJsonString());
        // Not the body of the show above: the same body signed in the same second would be a replay.
        var gone = (await Signed(P($$"""{"type":"show","obj":"task","conv_id":{{conv}},"obj_id":"{{first}}","history":false}""")))["ops"]![0]!;
        Assert.That((string?)gone["proc"], Is.EqualTo("obj_id_not_found"));
        var counters = await _server.GetJson($"/api/processes/{conv}/counters");
        Assert.That((long?)counters["nodes"]!["wait"]!["now"], Is.EqualTo(1), "the deleted task left its node's count");
        // Its ref is free again.
        await _server.CreateTask(conv, hash, [], "lead-1");

        // The public URL (a hash, shown to shops) creates and modifies only.
        var publicShow = await _server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"show","obj":"task","ref":"lead-2"}]}""");
        Assert.That((string?)publicShow["ops"]![0]!["description"], Does.Contain("signed API"));
    }

    [Test]
    public async Task The_management_api_shows_by_ref_gives_history_and_deletes()
    {
        var (conv, hash) = await WaitingProcess();
        var id = await _server.CreateTask(conv, hash, P("""{"x":1}"""), "m-1");
        await _server.WaitFor(id, "waiting");
        var byRef = await _server.GetJson($"/api/processes/{conv}/refs/m-1");
        Assert.That((string?)byRef["obj_id"], Is.EqualTo(id));
        var history = (await _server.GetJson($"/api/tasks/{id}/history")).AsArray();
        Assert.That(history.Select(h => (string?)h!["node_id"]), Is.EqualTo(new[] { "start", "wait" }));
        var inNode = (await _server.GetJson($"/api/processes/{conv}/tasks?node_id=wait")).AsArray();
        Assert.That(inNode.Select(t => (string?)t!["obj_id"]), Does.Contain(id));

        using (var deleted = await _server.Http.DeleteAsync($"/api/tasks/{id}")) Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using (var again = await _server.Http.DeleteAsync($"/api/tasks/{id}")) Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using (var missing = await _server.Http.GetAsync($"/api/processes/{conv}/refs/m-1")) Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        await _server.RestartAsync();
        using (var afterRestart = await _server.Http.GetAsync($"/api/tasks/{id}")) Assert.That(afterRestart.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the delete is durable");
    }

    [Test]
    public async Task Modify_on_a_non_sync_callback_node_merges_the_data_and_leaves_the_task_waiting()
    {
        var (conv, hash) = await WaitingProcess(isSync: false);
        var id = await _server.CreateTask(conv, hash, P("""{"a":1}"""), "ns-1");
        await _server.WaitFor(id, "waiting");
        var answer = await _server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"modify","obj":"task","ref":"ns-1","data":{"b":2}}]}""");
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("ok"), answer.ToJsonString());
        JsonNode task;
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((task = await _server.Task(id))["data"]!["b"] is null && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.That(((string?)task["status"], (string?)task["node_id"]), Is.EqualTo(("waiting", "wait")), task.ToJsonString());
        Assert.That(((int?)task["data"]!["a"], (int?)task["data"]!["b"]), Is.EqualTo((1, 2)));

        var (syncConv, syncHash) = await WaitingProcess(isSync: true);
        var synced = await _server.CreateTask(syncConv, syncHash, [], "s-1");
        await _server.WaitFor(synced, "waiting");
        await _server.PostJson($"/api/1/json/public/{syncConv}/{syncHash}", """{"ops":[{"type":"modify","obj":"task","ref":"s-1","data":{"b":2}}]}""");
        Assert.That((string?)(await _server.WaitFor(synced))["node_id"], Is.EqualTo("done"), "a sync node moves on");
    }
}
