using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Server.Api;

/// <summary>The Corezoid-compatible public API answers exactly as docs/public-api.md says.</summary>
public sealed class PublicApiTests(string store) : OnBothStores(store)
{
    TestServer _server = null!;
    long _conv;
    string _hash = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(store: Store);
        (_conv, _hash) = await _server.CreateProcess(Definition("echo",
            Node("start", "start", exits: new JsonObject { ["next"] = "mark" }),
            Node("mark", "set_param", new JsonObject { ["values"] = new JsonObject { ["seen"] = true } }, new JsonObject { ["next"] = "wait" }),
            // A node that never finishes by itself keeps a task active, so its ref stays taken.
            Node("wait", "wait_callback", new JsonObject { ["timeout_seconds"] = 3600 }, new JsonObject { ["next"] = "done", ["timeout"] = "done" }),
            Final("done")));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    string Url => $"/api/1/json/public/{_conv}/{_hash}";

    async Task<(HttpStatusCode Status, JsonNode Body)> Post(string url, string body)
    {
        using var response = await _server.Http.PostJsonAsync(url, body);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Test]
    public async Task The_seed_php_request_body_is_accepted_as_is()
    {
        // What the watch shop's form handler sends: json_encode of {server, cookies, post}, conv_id as a string, the IP as ref.
        var body = $$$$"""
            {"ops":[{"ref":"185.12.7.{{{{Random.Shared.Next(1, 250)}}}}","type":"create","obj":"task","conv_id":"{{{{_conv}}}}","data":{"server":{"REMOTE_ADDR":"185.12.7.1","HTTP_USER_AGENT":"Mozilla\/5.0","REQUEST_METHOD":"POST"},"cookies":{"utm_source":"partner42","PHPSESSID":"a1b2"},"post":{"name":"\u0418\u0432\u0430\u043d","phone":"89161234567"}}}]}
            """;
        var (status, answer) = await Post(Url, body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)answer["request_proc"], Is.EqualTo("ok"));
        var op = answer["ops"]![0]!;
        Assert.That((string?)op["proc"], Is.EqualTo("ok"));
        Assert.That((string?)op["obj"], Is.EqualTo("task"));
        Assert.That((string?)op["ref"], Does.StartWith("185.12.7."));
        Assert.That((string?)op["obj_id"], Has.Length.EqualTo(24));

        var task = await _server.WaitFor((string)op["obj_id"]!, "waiting");
        Assert.That((string?)task["data"]!["post"]!["name"], Is.EqualTo("Иван"));
        Assert.That((string?)task["data"]!["cookies"]!["utm_source"], Is.EqualTo("partner42"));
        Assert.That((bool?)task["data"]!["seen"], Is.True);
    }

    [Test]
    public async Task Conv_id_may_be_a_number_and_op_ids_are_echoed_one_answer_per_op()
    {
        var body = $$$"""{"ops":[{"id":"a1","type":"create","obj":"task","conv_id":{{{_conv}}},"data":{"n":1}},{"id":7,"type":"create","obj":"task","data":{"n":2}}]}""";
        var (_, answer) = await Post(Url, body);
        var ops = answer["ops"]!.AsArray();
        Assert.That(ops, Has.Count.EqualTo(2));
        Assert.That((string?)ops[0]!["id"], Is.EqualTo("a1"));
        Assert.That((int?)ops[1]!["id"], Is.EqualTo(7));
        Assert.That(ops.Select(o => (string?)o!["proc"]), Is.All.EqualTo("ok"));
        Assert.That((string?)ops[0]!["obj_id"], Is.Not.EqualTo((string?)ops[1]!["obj_id"]));
    }

    [Test]
    public async Task A_second_create_with_an_active_ref_fails_and_leaves_the_first_task_untouched()
    {
        var reference = "dup-" + Guid.NewGuid().ToString("n");
        var first = await _server.CreateTask(_conv, _hash, new JsonObject { ["v"] = "first" }, reference);
        await _server.WaitFor(first, "waiting");

        var (_, answer) = await Post(Url, $$$"""{"ops":[{"type":"create","obj":"task","ref":"{{{reference}}}","data":{"v":"second"}}]}""");
        var op = answer["ops"]![0]!;
        Assert.That((string?)answer["request_proc"], Is.EqualTo("ok"));
        Assert.That((string?)op["proc"], Is.EqualTo("error"));
        Assert.That((string?)op["description"], Does.Contain(reference).And.Contain(first));

        var task = await _server.Task(first);
        Assert.That((string?)task["data"]!["v"], Is.EqualTo("first"));
        var all = await _server.GetJson($"/api/processes/{_conv}/tasks?ref={reference}");
        Assert.That(all.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Two_ops_with_one_ref_in_one_request_add_only_the_first()
    {
        var reference = "same-" + Guid.NewGuid().ToString("n");
        var (_, answer) = await Post(Url, $$$"""{"ops":[{"type":"create","obj":"task","ref":"{{{reference}}}","data":{"v":1}},{"type":"create","obj":"task","ref":"{{{reference}}}","data":{"v":2}}]}""");
        var ops = answer["ops"]!.AsArray();
        Assert.That((string?)ops[0]!["proc"], Is.EqualTo("ok"));
        Assert.That((string?)ops[1]!["proc"], Is.EqualTo("error"));
    }

    [TestCase("{\"ops\":[", "format_error")]
    [TestCase("not json at all", "format_error")]
    [TestCase("{}", "format_error")]
    [TestCase("{\"ops\":{}}", "format_error")]
    [TestCase("[1,2,3]", "format_error")]
    public async Task Unreadable_requests_get_a_format_error_and_create_nothing(string body, string expected)
    {
        var before = (await _server.GetJson($"/api/processes/{_conv}")).AsObject()["tasks"]!.GetValue<long>();
        var (status, answer) = await Post(Url, body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)answer["request_proc"], Is.EqualTo(expected));
        Assert.That((string?)answer["description"], Is.Not.Empty);
        Assert.That(answer["ops"]!.AsArray(), Is.Empty);
        var after = (await _server.GetJson($"/api/processes/{_conv}")).AsObject()["tasks"]!.GetValue<long>();
        Assert.That(after, Is.EqualTo(before));
    }

    [Test]
    public async Task A_wrong_hash_is_refused()
    {
        var (status, answer) = await Post($"/api/1/json/public/{_conv}/{new string('0', 40)}", "{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":{}}]}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((string?)answer["request_proc"], Is.EqualTo("error"));
        Assert.That((string?)answer["description"], Does.Contain("hash"));
    }

    [Test]
    public async Task An_unknown_process_is_refused()
    {
        var (status, answer) = await Post($"/api/1/json/public/999999/{_hash}", "{\"ops\":[]}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((string?)answer["description"], Does.Contain("999999"));
    }

    [Test]
    public async Task Version_2_of_the_path_answers_the_same()
    {
        var (_, answer) = await Post($"/api/2/json/public/{_conv}/{_hash}", "{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":{}}]}");
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("ok"));
    }

    [TestCase("{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"conv_id\":1,\"data\":{}}]}", "does not match")]
    [TestCase("{\"ops\":[{\"type\":\"create\",\"obj\":\"user\",\"data\":{}}]}", "not supported")]
    [TestCase("{\"ops\":[{\"type\":\"delete\",\"obj\":\"task\"}]}", "needs the signed API")]
    [TestCase("{\"ops\":[{\"obj\":\"task\",\"data\":{}}]}", "type is required")]
    [TestCase("{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":[1]}]}", "data must be a JSON object")]
    [TestCase("{\"ops\":[42]}", "must be a JSON object")]
    public async Task A_bad_op_fails_alone_with_a_description(string body, string expected)
    {
        var (status, answer) = await Post(Url, body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)answer["request_proc"], Is.EqualTo("ok"));
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("error"));
        Assert.That((string?)answer["ops"]![0]!["description"], Does.Contain(expected));
    }

    [Test]
    public async Task Oversized_task_data_is_refused_and_nothing_is_stored()
    {
        var reference = "big-" + Guid.NewGuid().ToString("n");
        var big = new string('x', 130_000);
        var (_, answer) = await Post(Url, $$$"""{"ops":[{"type":"create","obj":"task","ref":"{{{reference}}}","data":{"blob":"{{{big}}}"}}]}""");
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("error"));
        Assert.That((string?)answer["ops"]![0]!["description"], Does.Contain("over the limit"));
        Assert.That((await _server.GetJson($"/api/processes/{_conv}/tasks?ref={reference}")).AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_paused_process_refuses_new_tasks_until_resumed()
    {
        var (conv, hash) = await _server.CreateProcess(Single("set_param", new JsonObject { ["values"] = new JsonObject { ["a"] = 1 } }));
        await _server.Http.PostAsync($"/api/processes/{conv}/pause", null);
        var (_, paused) = await Post($"/api/1/json/public/{conv}/{hash}", "{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":{}}]}");
        Assert.That((string?)paused["ops"]![0]!["proc"], Is.EqualTo("error"));
        Assert.That((string?)paused["ops"]![0]!["description"], Does.Contain("paused"));

        await _server.Http.PostAsync($"/api/processes/{conv}/resume", null);
        var (_, resumed) = await Post($"/api/1/json/public/{conv}/{hash}", "{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":{}}]}");
        Assert.That((string?)resumed["ops"]![0]!["proc"], Is.EqualTo("ok"));
    }

    [Test]
    public async Task The_webhook_takes_any_json_body_as_task_data_and_can_wait_for_the_end()
    {
        var (conv, hash) = await _server.CreateProcess(Single("code", JsonNode.Parse("""{"src":"data.phone = String(data.phone).replace(/^8/, '7');"}""")!.AsObject()));
        var (status, answer) = await Post($"/webhook/{conv}/{hash}?wait=10&ref=w-1", """{"name":"Ivan","phone":"89161234567"}""");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)answer["status"], Is.EqualTo("finished"));
        Assert.That((string?)answer["ref"], Is.EqualTo("w-1"));
        Assert.That((string?)answer["data"]!["phone"], Is.EqualTo("79161234567"));

        var (accepted, later) = await Post($"/webhook/{conv}/{hash}", """{"phone":"8"}""");
        Assert.That(accepted, Is.EqualTo(HttpStatusCode.Accepted));
        await _server.WaitFor((string)later["obj_id"]!);

        var (bad, problem) = await Post($"/webhook/{conv}/{hash}", "[1]");
        Assert.That(bad, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)problem["description"], Does.Contain("JSON object"));
        var (wrong, _) = await Post($"/webhook/{conv}/{new string('a', 40)}", "{}");
        Assert.That(wrong, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task A_regenerated_hash_replaces_the_old_one()
    {
        var (conv, hash) = await _server.CreateProcess(Single("set_param", new JsonObject { ["values"] = new JsonObject { ["a"] = 1 } }));
        var renewed = await _server.PostJson($"/api/processes/{conv}/hash", "");
        var newHash = (string)renewed["hash"]!;
        Assert.That(newHash, Is.Not.EqualTo(hash).And.Length.EqualTo(40));
        var (oldStatus, _) = await Post($"/api/1/json/public/{conv}/{hash}", "{\"ops\":[]}");
        var (newStatus, _) = await Post($"/api/1/json/public/{conv}/{newHash}", "{\"ops\":[]}");
        Assert.That(oldStatus, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(newStatus, Is.EqualTo(HttpStatusCode.OK));
    }
}
