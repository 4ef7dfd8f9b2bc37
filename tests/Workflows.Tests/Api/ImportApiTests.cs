using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;

namespace Workflows.Tests.Api;

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
        await _server.CreateProcess(Processes.Definition("taken", Processes.Node("start", "start", exits: new JsonObject { ["next"] = "f" }), Processes.Final("f")).Replace("\"title\"", "\"conv_id\":9600,\"title\""));
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
