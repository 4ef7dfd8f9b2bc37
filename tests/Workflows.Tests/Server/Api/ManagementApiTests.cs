using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Engine.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Server.Api;

public sealed class ManagementApiTests(string store) : OnBothStores(store)
{
    TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(store: Store);

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    static string Versioned(string title, int value) => Definition(title,
        Node("start", "start", exits: P("""{"next":"set"}""")),
        Node("set", "set_param", new JsonObject { ["values"] = new JsonObject { ["v"] = value } }, P("""{"next":"wait"}""")),
        Node("wait", "wait_callback", P("""{"timeout_seconds":3600}"""), P("""{"next":"done","timeout":"done"}""")),
        Final("done"));

    [Test]
    public async Task Create_get_update_versions_export_and_delete_a_process()
    {
        var (conv, hash) = await _server.CreateProcess(Versioned("versions", 1));
        var got = await _server.GetJson($"/api/processes/{conv}");
        Assert.That((int?)got["version"], Is.EqualTo(1));
        Assert.That((string?)got["public_url"], Is.EqualTo($"/api/1/json/public/{conv}/{hash}"));
        Assert.That(got["definition"]!["nodes"]!.AsArray(), Has.Count.EqualTo(4));

        using (var put = await _server.Http.PutJsonAsync($"/api/processes/{conv}", Versioned("versions v2", 2)))
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var versions = (await _server.GetJson($"/api/processes/{conv}/versions")).AsArray();
        Assert.That(versions.Select(v => (int?)v!["version"]), Is.EqualTo(new int?[] { 2, 1 }));
        var first = await _server.GetJson($"/api/processes/{conv}/versions/1");
        Assert.That((int?)first["nodes"]![1]!["params"]!["values"]!["v"], Is.EqualTo(1));

        var exported = await _server.Http.GetStringAsync($"/api/processes/{conv}/export");
        var copy = JsonNode.Parse(exported)!.AsObject();
        Assert.That((string?)copy["title"], Is.EqualTo("versions v2"));
        copy.Remove("conv_id");
        var (copyConv, _) = await _server.CreateProcess(copy.ToJsonString());
        Assert.That(copyConv, Is.Not.EqualTo(conv));

        using (var delete = await _server.Http.DeleteAsync($"/api/processes/{conv}"))
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var gone = await _server.Http.GetAsync($"/api/processes/{conv}");
        Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((string?)JsonNode.Parse(await gone.Content.ReadAsStringAsync())!["detail"], Does.Contain(conv.ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task A_task_waiting_in_a_node_continues_in_the_new_version_by_node_id()
    {
        var (conv, hash) = await _server.CreateProcess(Versioned("continue", 1));
        var id = await _server.CreateTask(conv, hash, []);
        await _server.WaitFor(id, "waiting");
        var v2 = JsonNode.Parse(Versioned("continue", 2))!.AsObject();
        v2["nodes"]!.AsArray().Add(Node("extra", "set_param", P("""{"values":{"after":"v2"}}"""), P("""{"next":"done"}""")));
        v2["nodes"]![2]!["exits"]!["next"] = "extra";
        using (await _server.Http.PutJsonAsync($"/api/processes/{conv}", v2.ToJsonString())) { }
        await _server.PostJson($"/api/tasks/{id}/callback", """{"answer":42}""");
        var task = await _server.WaitFor(id);
        Assert.That((string?)task["data"]!["after"], Is.EqualTo("v2"));
        Assert.That((int?)task["data"]!["answer"], Is.EqualTo(42));
        Assert.That((int?)task["version"], Is.EqualTo(2));
    }

    [Test]
    public async Task Tasks_are_listed_by_node_status_and_ref_and_counted_per_node()
    {
        var (conv, hash) = await _server.CreateProcess(Versioned("listing", 1));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await _server.CreateTask(conv, hash, new JsonObject { ["i"] = i }, $"ref-{i}"));
        foreach (var id in ids) await _server.WaitFor(id, "waiting");
        await _server.PostJson($"/api/tasks/{ids[0]}/callback", "{}");
        await _server.WaitFor(ids[0]);

        Assert.That((await _server.GetJson($"/api/processes/{conv}/tasks?node_id=wait")).AsArray(), Has.Count.EqualTo(2));
        Assert.That((await _server.GetJson($"/api/processes/{conv}/tasks?status=finished")).AsArray(), Has.Count.EqualTo(1));
        var byRef = (await _server.GetJson($"/api/processes/{conv}/tasks?ref=ref-2")).AsArray();
        Assert.That((string?)byRef.Single()!["obj_id"], Is.EqualTo(ids[2]));

        var counters = await _server.GetJson($"/api/processes/{conv}/counters");
        Assert.That((long?)counters["nodes"]!["wait"]!["now"], Is.EqualTo(2));
        Assert.That((long?)counters["nodes"]!["wait"]!["entered"], Is.EqualTo(3));
        Assert.That((long?)counters["nodes"]!["wait"]!["left"], Is.EqualTo(1));
        Assert.That((long?)counters["nodes"]!["done"]!["now"], Is.EqualTo(1));
        Assert.That((long?)counters["nodes"]!["start"]!["now"], Is.EqualTo(0));
    }

    [Test]
    public async Task A_task_can_be_created_without_the_hash_and_read_with_its_history()
    {
        var (conv, _) = await _server.CreateProcess(Single("set_param", P("""{"values":{"b":"{{a}}!"}}""")));
        using var response = await _server.Http.PostJsonAsync($"/api/processes/{conv}/tasks", """{"ref":"m-1","data":{"a":"hi"}}""");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var task = await _server.WaitFor((string)created["obj_id"]!);
        Assert.That((string?)task["data"]!["b"], Is.EqualTo("hi!"));
        Assert.That(task["history"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That((string?)task["history"]![0]!["at"], Does.Contain("T"));
    }

    [Test]
    public async Task The_live_stream_pushes_counters()
    {
        var (conv, hash) = await _server.CreateProcess(Versioned("live", 1));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var stream = await _server.Http.GetStreamAsync($"/api/processes/{conv}/live", cancel.Token);
        using var reader = new StreamReader(stream);
        Assert.That(await reader.ReadLineAsync(cancel.Token), Is.EqualTo("event: counters"));
        var first = JsonNode.Parse((await reader.ReadLineAsync(cancel.Token))!["data: ".Length..])!;
        Assert.That((long?)first["nodes"]!["wait"]!["now"], Is.EqualTo(0));
        await _server.CreateTask(conv, hash, []);
        while (true)
        {
            var line = await reader.ReadLineAsync(cancel.Token);
            if (line is null || !line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var counters = JsonNode.Parse(line["data: ".Length..])!;
            if ((long?)counters["nodes"]!["wait"]!["now"] == 1) break;
        }
    }

    [Test]
    public async Task Conflicts_and_unknowns_are_clear_problems()
    {
        var (conv, _) = await _server.CreateProcess(Versioned("conflict", 1));
        var same = JsonNode.Parse(Versioned("conflict again", 1))!.AsObject();
        same["conv_id"] = conv;
        using var clash = await _server.Http.PostJsonAsync("/api/processes", same.ToJsonString());
        Assert.That(clash.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        using var missingTask = await _server.Http.GetAsync("/api/tasks/000000000000000000000001");
        Assert.That(missingTask.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var badTask = await _server.Http.GetAsync("/api/tasks/not-an-id");
        Assert.That(badTask.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var noRoute = await _server.Http.GetAsync("/api/no/such/thing");
        Assert.That(noRoute.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_catalog_describes_every_node_type_and_openapi_is_served()
    {
        var catalog = (await _server.GetJson("/api/catalog")).AsArray();
        var types = catalog.Select(c => (string?)c!["type"]).ToList();
        Assert.That(types, Is.SupersetOf(new[] { "start", "final", "code", "condition", "set_param", "api", "delay", "wait_callback", "copy_task", "call_process", "reply" }));
        var code = catalog.Single(c => (string?)c!["type"] == "code")!;
        Assert.That((string?)code["parameters"]![0]!["type"], Is.EqualTo("code"));
        Assert.That(code["exits"]!.AsArray().Select(e => (string?)e!["name"]), Is.EqualTo(new[] { "next", "error" }));
        // The designer's form reads the same facts the engine checks: ranges, and the condition functions.
        var seconds = catalog.Single(c => (string?)c!["type"] == "delay")!["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "seconds")!;
        Assert.That(((double?)seconds["min"], (double?)seconds["max"]), Is.EqualTo(((double?)1, (double?)ParamSpec.MaxWaitSeconds)));
        var rules = catalog.Single(c => (string?)c!["type"] == "condition")!["parameters"]![0]!;
        Assert.That(rules["functions"]!.AsArray().Select(f => (string?)f!["value"]), Is.EqualTo(ConditionFunctions.Names));
        var openapi = await _server.GetJson("/openapi/v1.json");
        Assert.That(openapi["paths"]!.AsObject().Select(p => p.Key), Has.Some.Contains("/api/processes"));
    }
}
