using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;

namespace Workflows.Tests.Server.Api;

/// <summary>The management API's Corezoid import: real exports become processes; what cannot convert is listed per node.</summary>
public sealed class ImportApiTests(string store) : OnBothStores(store)
{
    TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(store: Store);

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    static string Export(string name)
    {
        var root = TestContext.CurrentContext.TestDirectory;
        while (!File.Exists(Path.Combine(root, "Workflows.sln"))) root = Path.GetDirectoryName(root)!;
        var file = Path.Combine(root, "..", "shared", "corezoid", name);
        if (!File.Exists(file)) Assert.Ignore($"the Corezoid exports are not beside the repository ({file})");
        return File.ReadAllText(file);
    }

    async Task<(HttpStatusCode, JsonNode)> Import(string body)
    {
        using var response = await _server.Http.PostJsonAsync("/api/import/corezoid", body);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Test]
    public async Task A_real_export_becomes_a_running_process()
    {
        var (status, answer) = await Import(Export("api-post.json"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var process = answer["processes"]!.AsArray().First()!;
        Assert.That((bool?)process["created"], Is.True, answer.ToJsonString());
        var convId = (long)process["process"]!["conv_id"]!;
        var stored = await _server.GetJson($"/api/processes/{convId}");
        Assert.That(stored["definition"]!["nodes"]!.AsArray().Select(n => (string?)n!["type"]), Does.Contain("api").And.Contain("start"));
    }

    /// <summary>
    /// Until the script engine reads ES2015 (arrow functions, template literals: issue 13), code nodes
    /// using it are the one thing that may still stop a real export; anything else fails the test.
    /// </summary>
    [TestCase("api-post.json")]
    [TestCase("gpt-calculator.json")]
    [TestCase("stripe-checkout.json")]
    [TestCase("sample_user_export.json")]
    public async Task Every_real_export_imports_and_a_task_runs_through_it(string name)
    {
        var (status, answer) = await Import(Export(name));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), name);
        foreach (var process in answer["processes"]!.AsArray())
        {
            // Every process of every export is created: modern JavaScript included (no carve-out for it).
            Assert.That((bool?)process!["created"], Is.True, $"{name}: {process.ToJsonString()}");
            var convId = (long)process["process"]!["conv_id"]!;
            // The process's required inputs (Corezoid params) are given, as a caller would.
            var data = new JsonObject { ["question"] = "2+2", ["customer"] = "cus_1" };
            var definition = (await _server.GetJson($"/api/processes/{convId}"))["definition"]!;
            foreach (var p in definition["params"]?.AsArray() ?? [])
                if ((bool?)p!["required"] == true && (bool?)p["input"] == true) data[(string)p["name"]!] ??= "x";
            var created = await _server.PostJson($"/api/processes/{convId}/tasks", new JsonObject { ["ref"] = "run-1", ["data"] = data }.ToJsonString());
            var objId = (string)created["obj_id"]!;
            // The outside services these exports call are not reachable from a test: the task ends in a final
            // node or parks in a waiting node (a retry delay), never stays stuck in the start.
            var until = DateTime.UtcNow.AddSeconds(20);
            JsonNode task;
            while ((string?)(task = await _server.Task(objId))["status"] == "processing" && DateTime.UtcNow < until) await Task.Delay(50);
            Assert.That((string?)task["status"], Is.AnyOf("finished", "waiting"), $"{name}: {task.ToJsonString()}");
            Assert.That(task["history"]!.AsArray(), Has.Count.GreaterThan(1), $"{name}: the task moved through the nodes");
        }
    }

    [Test]
    public async Task A_folder_of_processes_that_call_each_other_imports_in_one_go_with_new_ids_where_needed()
    {
        // 9600 is taken here; the rates process has obj_id 0; the caller comes first and has a node no path reaches.
        await _server.CreateProcess(TestProcesses.Definition("taken", TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "f" }), TestProcesses.Final("f")).Replace("\"title\"", "\"conv_id\":9600,\"title\""));
        var caller = CorezoidExport.Process(9500, "caller",
            CorezoidExport.Start("call"),
            CorezoidExport.Node("call", 0,
                CorezoidExport.Logic("""{"type":"api_rpc","conv_id":9600,"extra":{"n":"{{n}}"},"extra_type":{"n":"string"},"err_node_id":"e"}"""),
                CorezoidExport.Logic("""{"type":"api_copy","mode":"create","conv_id":"@imp-rates","ref":"r-{{n}}","data":{"n":"{{n}}"},"data_type":{"n":"string"},"err_node_id":"e"}"""),
                CorezoidExport.Go("f")),
            CorezoidExport.Node("orphan", 0, CorezoidExport.Logic("""{"type":"set_param","extra":{"x":"1"},"extra_type":{"x":"string"}}"""), CorezoidExport.Go("f")),
            CorezoidExport.Final("f"), CorezoidExport.Final("e", error: true));
        var callee = CorezoidExport.Process(9600, "callee",
            CorezoidExport.Start("double"),
            CorezoidExport.Node("double", 0,
                CorezoidExport.Logic("""{"type":"api_code","lang":"js","src":"data.m = Number(data.n) * 2;","err_node_id":"e"}"""),
                CorezoidExport.Logic("""{"type":"api_rpc_reply","mode":"key_value","res_data":{"m":"{{m}}"},"res_data_type":{"m":"string"}}"""),
                CorezoidExport.Go("f")),
            CorezoidExport.Final("f"), CorezoidExport.Final("e", error: true));
        var rates = CorezoidExport.Process(0, "rates", CorezoidExport.Start("f"), CorezoidExport.Final("f")).WithAlias("imp-rates");

        var (status, answer) = await Import(CorezoidExport.Folder(caller, callee, rates));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var processes = answer["processes"]!.AsArray();
        Assert.That(processes.Select(p => (bool?)p!["created"]), Is.All.True, answer.ToJsonString());
        var ids = processes.ToDictionary(p => (string)p!["title"]!, p => (long)p!["process"]!["conv_id"]!);
        Assert.That(ids["caller"], Is.EqualTo(9500));
        Assert.That(ids["callee"], Is.Not.EqualTo(9600));
        var changes = answer["conv_ids"]!.AsArray().Select(c => ((long?)c!["old"], (long)c["new"]!)).ToList();
        Assert.That(changes, Is.EquivalentTo(new (long?, long)[] { (9600, ids["callee"]), (0, ids["rates"]) }));
        var warnings = processes.Single(p => (string?)p!["title"] == "caller")!["warnings"]!.AsArray();
        Assert.That(warnings.Select(w => (string?)w!["node_id"]), Is.EqualTo(new[] { "orphan" }), "an unreachable node is a warning");

        var created = await _server.PostJson("/api/processes/9500/tasks", """{"data":{"n":21}}""");
        var task = await _server.WaitFor((string)created["obj_id"]!);
        Assert.That((string?)task["node_id"], Is.EqualTo("f"), task.ToJsonString());
        Assert.That(task["data"]!["m"]!.ToJsonString(), Is.EqualTo("42"), "the call reached the callee under its new id");
        var copied = await _server.GetJson($"/api/processes/{ids["rates"]}/tasks?ref=r-21");
        Assert.That(copied.AsArray(), Has.Count.EqualTo(1), "the copy reached the process whose alias is kept");
    }

    /// <summary>
    /// The issue's finish line: one folder with a state diagram, env variables, a Sum, a queue pair and a
    /// time limit on an API call imports in one request, and its tasks run branch for branch.
    /// </summary>
    [Test]
    public async Task A_folder_with_a_state_diagram_env_vars_a_sum_a_queue_pair_and_time_limits_imports_and_runs()
    {
        await using var fake = await FakeService.StartAsync();
        using (var crm = new StringContent(new JsonObject { ["value"] = fake.Url("/") }.ToJsonString(), Encoding.UTF8, "application/json"))
        using (var put = await _server.Http.PutAsync("/api/env/shop-crm", crm))
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var users = CorezoidExport.Process(9710, "users",
            CorezoidExport.Start("new"),
            CorezoidExport.Node("new", 0, CorezoidExport.Logic("""{"type":"go_if_const","to_node_id":"active","conditions":[{"param":"status","const":"active","fun":"eq","cast":"string"}]}""")),
            CorezoidExport.Node("active", 0));
        users["conv_type"] = "state";
        var shop = CorezoidExport.Process(9711, "shop",
            CorezoidExport.Start("count"),
            CorezoidExport.Node("count", 0, CorezoidExport.Logic("""{"type":"api_sum","extra":[{"id":"1","name":"orders","value":"1"},{"id":"2","name":"revenue","value":"{{amount}}"}]}"""), CorezoidExport.Go("signup")),
            CorezoidExport.Node("signup", 0, CorezoidExport.Logic("""{"type":"api_copy","mode":"create","conv_id":9710,"ref":"{{user}}","data":{"user":"{{user}}","status":"new"},"data_type":{"user":"string","status":"string"},"err_node_id":"e"}"""), CorezoidExport.Go("call")),
            CorezoidExport.Node("call", 0,
                [CorezoidExport.Logic("""{"type":"api","method":"POST","url":"{{env_var[@shop-crm]}}echo","extra":{"user":"{{user}}"},"extra_type":{"user":"string"},"err_node_id":"e"}"""), CorezoidExport.Go("look")],
                [CorezoidExport.Logic("""{"type":"time","value":30,"dimension":"sec","to_node_id":"e"}""")]),
            CorezoidExport.Node("look", 0, CorezoidExport.Logic("""{"type":"set_param","extra":{"state":"{{conv[9710].ref[{{user}}].status}}","total":"{{node[count].revenue}}"},"extra_type":{"state":"string","total":"string"}}"""), CorezoidExport.Go("q")),
            CorezoidExport.Node("q", 0, CorezoidExport.Logic("""{"type":"api_queue","data":{"from":"shop"},"data_type":{"from":"string"}}"""), CorezoidExport.Go("f")),
            CorezoidExport.Final("f"), CorezoidExport.Final("e", error: true));
        var worker = CorezoidExport.Process(9712, "worker",
            CorezoidExport.Start("take"),
            CorezoidExport.Node("take", 0, CorezoidExport.Logic("""{"type":"api_get_task","conv_id":9711,"node_id":"q","order_by":"ASC","err_node_id":"empty"}"""), CorezoidExport.Go("activate")),
            CorezoidExport.Node("activate", 0, CorezoidExport.Logic("""{"type":"api_copy","mode":"modify","conv_id":9710,"ref":"{{__queue_task_data__.user}}","data":{"status":"active"},"data_type":{"status":"string"},"err_node_id":"e"}"""), CorezoidExport.Go("f")),
            CorezoidExport.Final("f"), CorezoidExport.Final("e", error: true), CorezoidExport.Final("empty", error: true));

        var (status, answer) = await Import(CorezoidExport.Folder(worker, shop, users));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
        var processes = answer["processes"]!.AsArray();
        Assert.That(processes.Select(p => (bool?)p!["created"]), Is.All.True, answer.ToJsonString());
        Assert.That(processes.SelectMany(p => p!["issues"]?.AsArray() ?? []), Is.Empty, "everything converts");
        var ids = processes.ToDictionary(p => (string)p!["title"]!, p => (long)p!["process"]!["conv_id"]!);

        var order = await _server.PostJson($"/api/processes/{ids["shop"]}/tasks", """{"data":{"user":"u-7","amount":"19.99"}}""");
        var queued = await _server.WaitFor((string)order["obj_id"]!, "waiting");
        Assert.That(((string?)queued["node_id"], (string?)queued["data"]!["state"], (string?)queued["data"]!["body"]),
            Is.EqualTo(("q", "new", """{"user":"u-7"}""")), queued.ToJsonString());
        Assert.That(queued["data"]!["total"]!.ToJsonString(), Is.EqualTo("19.99"));

        var job = await _server.WaitFor((string)(await _server.PostJson($"/api/processes/{ids["worker"]}/tasks", "{}"))["obj_id"]!);
        Assert.That((string?)job["node_id"], Is.EqualTo("f"), job.ToJsonString());
        Assert.That((string?)job["data"]!["__queue_task_data__"]!["from"], Is.EqualTo("shop"));
        Assert.That((string?)(await _server.WaitFor((string)order["obj_id"]!))["node_id"], Is.EqualTo("f"), "the queued order went on");
        var user = (await _server.GetJson($"/api/processes/{ids["users"]}/tasks?ref=u-7")).AsArray().Single()!;
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((string?)(await _server.Task((string)user["obj_id"]!))["node_id"] != "active" && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.That((string?)(await _server.Task((string)user["obj_id"]!))["node_id"], Is.EqualTo("active"), "the modify moved the state");

        var idle = await _server.WaitFor((string)(await _server.PostJson($"/api/processes/{ids["worker"]}/tasks", "{}"))["obj_id"]!);
        Assert.That((string?)idle["node_id"], Is.EqualTo("empty"));
        var sums = (await _server.GetJson($"/api/processes/{ids["shop"]}/counters"))["sums"]!["count"]!;
        Assert.That(((string?)sums["orders"], (string?)sums["revenue"]), Is.EqualTo(("1", "19.99")));
    }

    /// <summary>The designer marks the nodes the import changed from notes kept with the imported version; a saved new version has none.</summary>
    [Test]
    public async Task The_imported_version_keeps_its_per_node_notes_and_the_next_saved_version_drops_them()
    {
        var (status, answer) = await Import(CorezoidExport.FolderWithDbCall("noted import"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
        var reported = answer["processes"]![0]!;
        var convId = (long)reported["process"]!["conv_id"]!;

        var stored = (await _server.GetJson($"/api/processes/{convId}"))["definition"]!.AsObject();
        var notes = stored["import_notes"]!.AsArray();
        // The same notes as the report: node, what, why and whether the node could be converted at all.
        Assert.That(notes.Select(n => ((string?)n!["node_id"], (string?)n["what"], (bool?)n["not_convertible"] ?? false)),
            Is.EqualTo(reported["issues"]!.AsArray().Select(n => ((string?)n!["node_id"], (string?)n["what"], (bool)n["not_convertible"]!))));
        Assert.That(notes.Any(n => (string?)n!["node_id"] == "q" && (bool?)n["not_convertible"] == true), Is.True, notes.ToJsonString());

        // Saved again without them (as the designer saves): version 2 has none, version 1 still has them.
        stored.Remove("import_notes");
        using (var put = await _server.Http.PutJsonAsync($"/api/processes/{convId}", stored.ToJsonString()))
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        Assert.That((await _server.GetJson($"/api/processes/{convId}"))["definition"]!["import_notes"], Is.Null);
        Assert.That((await _server.GetJson($"/api/processes/{convId}/versions/1"))["import_notes"]!.AsArray(), Has.Count.EqualTo(notes.Count));
    }

    [Test]
    public async Task A_definition_with_a_note_that_is_not_a_note_is_refused_with_its_place()
    {
        var definition = JsonNode.Parse(TestProcesses.Definition("bad notes", TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "f" }), TestProcesses.Final("f")))!.AsObject();
        definition["import_notes"] = new JsonArray(new JsonObject { ["node_id"] = "f", ["what"] = "kept" }, null);
        using var response = await _server.Http.PostJsonAsync("/api/processes", definition.ToJsonString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain("import_notes[1]"));
    }

    [TestCase("")]
    [TestCase("{\"not\":\"an export\"}")]
    [TestCase("[1,2")]
    public async Task Something_that_is_not_an_export_is_a_400(string body)
    {
        var (status, problem) = await Import(body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)problem["detail"], Is.Not.Empty);
    }
}
