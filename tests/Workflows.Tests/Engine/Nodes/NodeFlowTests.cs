using System.Diagnostics;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Nodes;

/// <summary>Each node type through the real server: its normal exit and its error exit with the error fields.</summary>
public sealed class NodeFlowTests(string store) : OnBothStores(store)
{
    TestServer _server = null!;
    FakeService _fake = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(new() { ["Workflows:ScriptTimeoutMs"] = "500" }, store: Store);
        _fake = await FakeService.StartAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _server.DisposeAsync();
        await _fake.DisposeAsync();
    }

    async Task<JsonNode> Run(string definition, JsonObject data)
    {
        var (conv, hash) = await _server.CreateProcess(definition);
        var id = await _server.CreateTask(conv, hash, data);
        return await _server.WaitFor(id);
    }

    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    [Test]
    public async Task Code_changes_the_data_and_keeps_var_local_between_runs()
    {
        var definition = Single("code", P("""{"src":"var seen = typeof counter === 'undefined' ? 0 : 1; var counter = 1; data.phone = String(data.phone).replace(/^8/, '7'); data.seen = seen; delete data.junk;"}"""));
        var (conv, hash) = await _server.CreateProcess(definition);
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var task = await _server.WaitFor(await _server.CreateTask(conv, hash, P("""{"phone":"89161234567","junk":1}""")));
            Assert.That((string?)task["node_id"], Is.EqualTo("ok"));
            Assert.That((string?)task["data"]!["phone"], Is.EqualTo("79161234567"));
            Assert.That((int?)task["data"]!["seen"], Is.EqualTo(0));
            Assert.That(task["data"]!.AsObject().ContainsKey("junk"), Is.False);
        }
    }

    [Test]
    public async Task A_throwing_script_goes_to_the_error_exit_with_the_error_fields()
    {
        var task = await Run(Single("code", P("""{"src":"if (!data.order) { throw new Error('order is missing'); }"}""")), []);
        Assert.That((string?)task["node_id"], Is.EqualTo("err"));
        Assert.That((string?)task["data"]!["__conveyor_code_return_type_error__"], Is.EqualTo("software"));
        Assert.That((string?)task["data"]!["__conveyor_code_return_type_tag__"], Is.EqualTo("script_error"));
        Assert.That((string?)task["data"]!["__conveyor_code_return_description__"], Does.Contain("order is missing"));
    }

    [TestCase("while (true) {}", "timeout")]
    [TestCase("function f(n) { return f(n + 1); } f(0);", "recursion_limit")]
    [TestCase("var s = 'x'; while (true) { s = s + s; }", "memory_limit|timeout")]
    [TestCase("var a = []; for (var i = 0; i < 1e9; i++) { a.push({ i: i, s: 'xxxxxxxxxxxxxxxx' + i }); }", "memory_limit|timeout")]
    [TestCase("var a = new Array(100000000); a.join('x');", "memory_limit|timeout")]
    [TestCase("System.IO.File.ReadAllText('/etc/passwd');", "script_error")]
    [TestCase("var x = importNamespace('System.IO');", "script_error")]
    public async Task Hostile_scripts_end_in_the_error_exit_within_their_limit_while_other_tasks_flow(string src, string tag)
    {
        var (hostile, hostileHash) = await _server.CreateProcess(Single("code", new JsonObject { ["src"] = src }));
        var (quick, quickHash) = await _server.CreateProcess(Single("set_param", P("""{"values":{"done":true}}""")));
        var clock = Stopwatch.StartNew();
        var bad = _server.CreateTask(hostile, hostileHash, []);
        var others = Enumerable.Range(0, 20).Select(_ => _server.CreateTask(quick, quickHash, [])).ToList();
        foreach (var other in others) Assert.That((string?)(await _server.WaitFor(await other))["node_id"], Is.EqualTo("ok"));
        var task = await _server.WaitFor(await bad, timeoutMs: 15_000);
        Assert.That((string?)task["node_id"], Is.EqualTo("err"));
        // A slow allocation bomb may meet the time limit before the memory limit: either stops it.
        Assert.That(tag.Split('|'), Does.Contain((string?)task["data"]!["__conveyor_code_return_type_tag__"]), task.ToJsonString());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Condition_rules_pick_the_first_match_then_the_default()
    {
        var definition = Definition("routing",
            Node("start", "start", exits: P("""{"next":"route"}""")),
            Node("route", "condition", P("""
                {"rules":[
                  {"exit":"vip","conditions":[{"param":"total","fun":"more_or_eq","const":"1000","cast":"number"},{"param":"city","fun":"eq","const":"Moscow"}]},
                  {"exit":"big","js":"data.total > 500"},
                  {"exit":"also_big","conditions":[{"param":"total","fun":"more","const":"500","cast":"number"}]}
                ]}
                """), P("""{"vip":"vip","big":"big","also_big":"other","default":"other"}""")),
            Final("vip"), Final("big"), Final("other"));
        var (conv, hash) = await _server.CreateProcess(definition);
        async Task<string?> Route(string data) => (string?)(await _server.WaitFor(await _server.CreateTask(conv, hash, P(data))))["node_id"];
        Assert.That(await Route("""{"total":1500,"city":"Moscow"}"""), Is.EqualTo("vip"));
        Assert.That(await Route("""{"total":1500,"city":"Kazan"}"""), Is.EqualTo("big"));
        Assert.That(await Route("""{"total":100}"""), Is.EqualTo("other"));
    }

    [Test]
    public async Task Set_param_renders_templates_and_functions_with_types()
    {
        var task = await Run(Single("set_param", P("""
            {"values":{"full":"{{first}} {{last}}","copy":"{{items}}","count":"$.math({{qty}} * 2)","sig":"$.sha1_hex({{first}})","nested.key":"{{root.ref}}","when":"$.unixtime()"}}
            """)), P("""{"first":"Anna","last":"Petrova","items":[1,2],"qty":4}"""));
        var data = task["data"]!;
        Assert.That((string?)data["full"], Is.EqualTo("Anna Petrova"));
        Assert.That(data["copy"], Is.InstanceOf<JsonArray>());
        Assert.That((double?)data["count"], Is.EqualTo(8));
        Assert.That((string?)data["sig"], Has.Length.EqualTo(40));
        Assert.That(data["nested"]!.AsObject().ContainsKey("key"), Is.True);
        Assert.That((long?)data["when"], Is.GreaterThan(1_700_000_000));
    }

    [Test]
    public async Task Set_param_with_a_value_that_cannot_be_computed_goes_to_the_error_exit()
    {
        var task = await Run(Single("set_param", P("""{"values":{"x":"$.math({{word}} + 1)"}}""")), P("""{"word":"abc"}"""));
        Assert.That((string?)task["node_id"], Is.EqualTo("err"));
        Assert.That((string?)task["data"]!["__conveyor_set_param_return_type_tag__"], Is.EqualTo("bad_value"));
    }

    [Test]
    public async Task Api_call_merges_a_json_answer_or_puts_it_under_a_key()
    {
        var merged = await Run(Single("api", new JsonObject { ["method"] = "GET", ["url"] = _fake.Url("/order/{{order_id}}") }), P("""{"order_id":"A-17"}"""));
        Assert.That((string?)merged["node_id"], Is.EqualTo("ok"));
        Assert.That((string?)merged["data"]!["status"], Is.EqualTo("paid"));
        Assert.That((double?)merged["data"]!["total"], Is.EqualTo(1250.5));

        var keyed = await Run(Single("api", new JsonObject
        {
            ["method"] = "POST", ["url"] = _fake.Url("/echo"),
            ["headers"] = P("""{"X-Token":"t-{{token}}"}"""),
            ["body"] = P("""{"phone":"{{phone}}","qty":"{{qty}}"}"""),
            ["response_key"] = "echo",
        }), P("""{"phone":"7916","qty":3,"token":"abc"}"""));
        var echo = keyed["data"]!["echo"]!;
        Assert.That((string?)echo["header_x_token"], Is.EqualTo("t-abc"));
        Assert.That((string?)echo["content_type"], Does.StartWith("application/json"));
        Assert.That(JsonNode.Parse((string)echo["body"]!)!.ToJsonString(), Is.EqualTo("""{"phone":"7916","qty":3}"""));
    }

    [TestCase("/status/503", "hardware", "http_503")]
    [TestCase("/status/429", "hardware", "http_429")]
    [TestCase("/status/404", "software", "http_404")]
    [TestCase("/status/401", "software", "http_401")]
    [TestCase("/text", "software", "bad_response")]
    public async Task Api_call_failures_are_classified(string path, string type, string tag)
    {
        var task = await Run(Single("api", new JsonObject { ["method"] = "GET", ["url"] = _fake.Url(path) }), []);
        Assert.That((string?)task["node_id"], Is.EqualTo("err"));
        Assert.That((string?)task["data"]!["__conveyor_api_return_type_error__"], Is.EqualTo(type));
        Assert.That((string?)task["data"]!["__conveyor_api_return_type_tag__"], Is.EqualTo(tag));
        Assert.That((string?)task["data"]!["__conveyor_api_return_description__"], Is.Not.Empty);
    }

    [Test]
    public async Task Api_call_timeouts_and_refused_connections_are_transient()
    {
        var slow = await Run(Single("api", new JsonObject { ["method"] = "GET", ["url"] = _fake.Url("/sleep/3000"), ["timeout_ms"] = 200 }), []);
        Assert.That((string?)slow["data"]!["__conveyor_api_return_type_tag__"], Is.EqualTo("timeout"));
        Assert.That((string?)slow["data"]!["__conveyor_api_return_type_error__"], Is.EqualTo("hardware"));

        var refused = await Run(Single("api", new JsonObject { ["method"] = "GET", ["url"] = "http://127.0.0.1:9/nothing" }), []);
        Assert.That((string?)refused["data"]!["__conveyor_api_return_type_tag__"], Is.EqualTo("connection_error"));
    }

    [Test]
    public async Task A_task_that_failed_can_be_sent_back_to_the_failing_node_alone_or_with_all_others_there()
    {
        var (conv, hash) = await _server.CreateProcess(Single("api", new JsonObject { ["method"] = "GET", ["url"] = _fake.Url("/flaky") }));
        var first = await _server.WaitFor(await _server.CreateTask(conv, hash, [], "retry-1"));
        var second = await _server.WaitFor(await _server.CreateTask(conv, hash, []));
        Assert.That((string?)first["node_id"], Is.EqualTo("err"));
        Assert.That((string?)first["result"], Is.EqualTo("error"));

        // Still down: the retry runs the node again and fails again.
        var again = await _server.PostJson($"/api/tasks/{(string)first["obj_id"]!}/retry", "");
        Assert.That((string?)again["proc"], Is.EqualTo("ok"));
        await _server.WaitFor((string)first["obj_id"]!);
        Assert.That((string?)(await _server.Task((string)first["obj_id"]!))["node_id"], Is.EqualTo("err"));

        _fake.Healthy = true;
        var all = await _server.PostJson($"/api/processes/{conv}/nodes/n/retry", "");
        Assert.That((int?)all["retried"], Is.EqualTo(2));
        foreach (var id in new[] { (string)first["obj_id"]!, (string)second["obj_id"]! })
        {
            var task = await _server.WaitFor(id);
            Assert.That((string?)task["node_id"], Is.EqualTo("ok"));
            Assert.That((int?)task["data"]!["lead_id"], Is.EqualTo(77));
            Assert.That(task["data"]!.AsObject().Any(kv => kv.Key.StartsWith("__conveyor_", StringComparison.Ordinal)), Is.False);
            Assert.That(task["history"]!.AsArray().Select(s => (string?)s!["outcome"]), Does.Contain("retry"));
        }

        using var notEnded = await _server.Http.PostAsync($"/api/tasks/{(string)first["obj_id"]!}/retry", null);
        Assert.That(notEnded.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Final_nodes_end_tasks_as_success_or_error()
    {
        var definition = Definition("finals",
            Node("start", "start", exits: P("""{"next":"c"}""")),
            Node("c", "condition", P("""{"rules":[{"exit":"good","conditions":[{"param":"ok","fun":"eq","const":"true","cast":"boolean"}]}]}"""), P("""{"good":"yes","default":"no"}""")),
            Final("yes"), Final("no", "error"));
        var (conv, hash) = await _server.CreateProcess(definition);
        var good = await _server.WaitFor(await _server.CreateTask(conv, hash, P("""{"ok":true}""")));
        var bad = await _server.WaitFor(await _server.CreateTask(conv, hash, P("""{"ok":false}""")));
        Assert.That((string?)good["result"], Is.EqualTo("success"));
        Assert.That((string?)bad["result"], Is.EqualTo("error"));
    }

    [Test]
    public async Task The_loop_guard_stops_a_task_that_cycles()
    {
        var definition = Definition("loop",
            Node("start", "start", exits: P("""{"next":"inc"}""")),
            Node("inc", "set_param", P("""{"values":{"n":"$.math({{n}} + 1)"}}"""), P("""{"next":"again"}""")),
            Node("again", "condition", P("""{"rules":[{"exit":"stop","conditions":[{"param":"n","fun":"more","const":"1000","cast":"number"}]}]}"""), P("""{"stop":"done","default":"inc"}""")),
            Final("done"));
        var task = await Run(definition, P("""{"n":0}"""));
        Assert.That((string?)task["result"], Is.EqualTo("error"));
        Assert.That((string?)task["data"]!["__conveyor_task_return_type_tag__"], Is.EqualTo("loop_limit"));
        Assert.That((int?)task["data"]!["n"], Is.EqualTo(50));
    }

    [Test]
    public async Task A_step_that_would_make_the_task_too_large_is_undone_and_sent_to_the_error_exit()
    {
        var task = await Run(Single("code", P("""{"src":"data.big = new Array(2001).join('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');"}""")), P("""{"keep":1}"""));
        Assert.That((string?)task["node_id"], Is.EqualTo("err"));
        Assert.That((string?)task["data"]!["__conveyor_code_return_type_tag__"], Is.EqualTo("task_size_limit"));
        Assert.That(task["data"]!.AsObject().ContainsKey("big"), Is.False);
        Assert.That((int?)task["data"]!["keep"], Is.EqualTo(1));
    }

    [Test]
    public async Task History_lists_every_step_with_its_exit_and_changes()
    {
        var task = await Run(Single("set_param", P("""{"values":{"a":1}}""")), []);
        var full = await _server.Task((string)task["obj_id"]!);
        var steps = full["history"]!.AsArray();
        Assert.That(steps.Select(s => (string?)s!["node_id"]), Is.EqualTo(new[] { "start", "n", "ok" }));
        Assert.That((string?)steps[1]!["exit"], Is.EqualTo("next"));
        Assert.That((int?)steps[1]!["set"]!["a"], Is.EqualTo(1));
        Assert.That((string?)steps[2]!["outcome"], Is.EqualTo("finish"));
    }
}
