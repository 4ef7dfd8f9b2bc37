using System.Net;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.TestRuns;

/// <summary>
/// Test tasks: pinned input, pinned API answers (no call leaves), step by step with breakpoints,
/// counted nowhere; and each step's before and after in the history of every task.
/// </summary>
public sealed class TestRunTests(string store) : OnBothStores(store)
{
    TestServer _server = null!;
    FakeService _fake = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _fake = await FakeService.StartAsync();
        _server = await TestServer.StartAsync(store: Store);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _server.DisposeAsync();
        await _fake.DisposeAsync();
    }

    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>An API call to the fake CRM, node id call; its answer goes to crm.</summary>
    JsonObject CrmCall(JsonObject exits) =>
        Node("call", "api", new JsonObject { ["method"] = "POST", ["url"] = _fake.Url("/lead"), ["response_key"] = "crm" }, exits);

    /// <summary>start → prepare (set_param) → call (API, the fake CRM) → count (sum) → done.</summary>
    string Lead(string title) => Definition(title,
        Node("start", "start", exits: P("""{"next":"prepare"}""")),
        Node("prepare", "set_param", P("""{"values":{"stage":"calling"}}"""), P("""{"next":"call"}""")),
        CrmCall(P("""{"next":"count","error":"failed"}""")),
        Node("count", "sum", P("""{"sums":{"leads":"1"}}"""), P("""{"next":"done"}""")),
        Final("done"), Final("failed", "error"));

    async Task<(HttpStatusCode Status, JsonNode Body)> Post(string url, string json)
    {
        using var response = await _server.Http.PostJsonAsync(url, json);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    async Task<JsonNode> CreateTest(long conv, string body)
    {
        var (status, task) = await Post($"/api/processes/{conv}/tasks", body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), task.ToJsonString());
        return task;
    }

    /// <summary>Polls until the task stops before <paramref name="node"/> in its debug run.</summary>
    async Task<JsonNode> StoppedAt(string objId, string node)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var task = await _server.Task(objId);
            if ((string?)task["status"] == "waiting" && (string?)task["wait"] == "debug" && (string?)task["node_id"] == node) return task;
            if (DateTime.UtcNow > until) throw new TimeoutException($"task {objId} did not stop at {node}: {task.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    async Task Debug(string objId, string body)
    {
        var (status, answer) = await Post($"/api/tasks/{objId}/debug", body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
    }

    [Test]
    public async Task A_test_task_gets_its_pinned_answer_calls_nothing_and_counts_nowhere()
    {
        var (conv, _) = await _server.CreateProcess(Lead("pinned answer"));
        var calls = _fake.Calls;
        var created = await CreateTest(conv, """
            {"data": {"phone": "+100"}, "test": {"answers": {"call": {"status": 200, "body": {"lead_id": 7}}}}}
            """);
        Assert.That(created["test"], Is.Not.Null);
        var task = await _server.WaitFor((string)created["obj_id"]!);

        Assert.Multiple(() =>
        {
            Assert.That((string?)task["node_id"], Is.EqualTo("done"));
            Assert.That((int?)task["data"]!["crm"]!["lead_id"], Is.EqualTo(7));
            Assert.That((string?)task["data"]!["phone"], Is.EqualTo("+100"));
            Assert.That(_fake.Calls, Is.EqualTo(calls), "the CRM was called");
            Assert.That((bool?)task["test"]!["stepping"], Is.False);
        });
        await CountedNothing(conv);

        // An ordinary task of the same process calls the CRM and is counted.
        var (normalStatus, normal) = await Post($"/api/processes/{conv}/tasks", """{"data": {"phone": "+200"}}""");
        Assert.That(normalStatus, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(normal["test"]?.GetValueKind(), Is.Null.Or.EqualTo(System.Text.Json.JsonValueKind.Null));
        var done = await _server.WaitFor((string)normal["obj_id"]!);
        Assert.That((int?)done["data"]!["crm"]!["lead_id"], Is.EqualTo(42));
        Assert.That(_fake.Calls, Is.EqualTo(calls + 1));
        var counters = await _server.GetJson($"/api/processes/{conv}/counters");
        Assert.That((long?)counters["nodes"]!["done"]!["entered"], Is.EqualTo(1));
        Assert.That((string?)counters["sums"]!["count"]!["leads"], Is.EqualTo("1"));
    }

    /// <summary>No node of the process counted a task, no sum grew, and the process lists no task in its summary.</summary>
    async Task CountedNothing(long conv)
    {
        var counters = await _server.GetJson($"/api/processes/{conv}/counters");
        foreach (var (node, counter) in counters["nodes"]!.AsObject())
            Assert.That(((long?)counter!["entered"] ?? 0) + ((long?)counter["now"] ?? 0), Is.Zero, $"node {node} of process {conv} counted a test task");
        Assert.That(counters["sums"]!.AsObject().Select(s => s.Value!.AsObject().Count).Sum(), Is.Zero, $"a test task added to a sum of process {conv}");
        Assert.That((long?)(await _server.GetJson($"/api/processes/{conv}"))["tasks"], Is.Zero);
    }

    static string Conv(long conv) => conv.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task What_a_test_task_copies_is_a_test_task_counted_nowhere_that_calls_nothing()
    {
        var (target, _) = await _server.CreateProcess(Lead("copied into"));
        var (source, _) = await _server.CreateProcess(Definition("copies",
            Node("start", "start", exits: P("""{"next":"copy"}""")),
            Node("copy", "copy_task", new JsonObject { ["conv_id"] = Conv(target), ["ref"] = "copy-{{n}}" }, P("""{"next":"done","error":"failed"}""")),
            Final("done"), Final("failed", "error")));
        var calls = _fake.Calls;
        var created = await CreateTest(source, """{"data": {"n": 1, "phone": "+400"}, "test": {"answers": {"copy": {"status": 200}}}}""");
        var task = await _server.WaitFor((string)created["obj_id"]!);
        Assert.That((string?)task["node_id"], Is.EqualTo("done"), task.ToJsonString());

        var copyId = (string)task["data"]!["__conveyor_copy_task_result__"]!;
        var copy = await _server.WaitFor(copyId);
        Assert.Multiple(() =>
        {
            Assert.That((string?)copy["ref"], Is.EqualTo("copy-1"));
            Assert.That((string?)copy["data"]!["phone"], Is.EqualTo("+400"));
            Assert.That(copy["test"], Is.Not.Null, "the copy of a test task is a test task");
            Assert.That((bool?)copy["test"]!["stepping"], Is.False, "a copy does not stop for debugging");
            Assert.That(copy["test"]!["answers"]!.AsObject(), Is.Empty, "the answers pinned for the source's nodes are not the copy's");
            Assert.That((string?)copy["node_id"], Is.EqualTo("failed"), "its API call has no pinned answer");
            Assert.That((string?)copy["data"]!["__conveyor_api_return_type_tag__"], Is.EqualTo("blocked_address"));
            Assert.That(_fake.Calls, Is.EqualTo(calls), "the copy of a test task called the CRM");
        });
        var listed = (await _server.GetJson($"/api/processes/{target}/tasks")).AsArray();
        Assert.That(listed.Select(t => ((string?)t!["obj_id"], t["test"] is not null)), Is.EqualTo(new[] { (copyId, true) }), "the task list shows the copy as a test task");
        await CountedNothing(target);
        await CountedNothing(source);
    }

    [Test]
    public async Task A_test_task_calls_a_process_whose_task_is_a_test_task_and_gets_its_reply()
    {
        // The callee's API call gets no pinned answer, so it goes out by its error exit and says why in its reply.
        var (callee, _) = await _server.CreateProcess(Definition("callee",
            Node("start", "start", exits: P("""{"next":"call"}""")),
            CrmCall(P("""{"next":"answer","error":"answer"}""")),
            Node("answer", "reply", P("""{"data":{"lead":"{{n}}","crm_said":"{{__conveyor_api_return_type_tag__}}"}}"""), P("""{"next":"done"}""")),
            Final("done")));
        var (caller, _) = await _server.CreateProcess(Definition("caller",
            Node("start", "start", exits: P("""{"next":"call"}""")),
            Node("call", "call_process", new JsonObject { ["conv_id"] = Conv(callee), ["data"] = P("""{"n":"{{n}}"}"""), ["timeout_seconds"] = 600 }, P("""{"next":"done","error":"failed","timeout":"failed"}""")),
            Final("done"), Final("failed", "error")));
        var calls = _fake.Calls;
        var created = await CreateTest(caller, """{"data": {"n": 5}, "test": {}}""");
        var task = await _server.WaitFor((string)created["obj_id"]!);
        Assert.Multiple(() =>
        {
            Assert.That((string?)task["node_id"], Is.EqualTo("done"), task.ToJsonString());
            Assert.That((int?)task["data"]!["lead"], Is.EqualTo(5), "the callee's reply came back to the test task");
            Assert.That((string?)task["data"]!["crm_said"], Is.EqualTo("blocked_address"));
            Assert.That(_fake.Calls, Is.EqualTo(calls), "the callee of a test task called the CRM");
        });
        var called = (await _server.GetJson($"/api/processes/{callee}/tasks")).AsArray();
        Assert.That(called, Has.Count.EqualTo(1));
        var calleeTask = await _server.WaitFor((string)called[0]!["obj_id"]!);
        Assert.That(calleeTask["test"], Is.Not.Null, "the task a test task calls is a test task");
        Assert.That((string?)calleeTask["result"], Is.EqualTo("success"));
        await CountedNothing(callee);
        await CountedNothing(caller);
    }

    [Test]
    public async Task Test_tasks_and_other_tasks_do_not_modify_or_take_each_other()
    {
        var (waiting, waitingHash) = await _server.CreateProcess(Waiter("waits"));
        string Modifier(string reference) => Definition("modifies " + reference,
            Node("start", "start", exits: P("""{"next":"modify"}""")),
            Node("modify", "copy_task", new JsonObject { ["mode"] = "modify", ["conv_id"] = Conv(waiting), ["ref"] = reference, ["data"] = P("""{"touched":"yes"}""") }, P("""{"next":"done","error":"refused"}""")),
            Final("done"), Final("refused", "error"));
        var real = await _server.CreateTask(waiting, waitingHash, [], "real-1");
        await _server.WaitFor(real, "waiting");
        var (status, test) = await Post($"/api/processes/{waiting}/tasks", """{"ref": "test-1", "test": {}}""");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created));
        await _server.WaitFor((string)test["obj_id"]!, "waiting");

        // A test task modifies no real task, and an ordinary task no test task: both are refused, nothing is merged.
        var (toReal, _) = await _server.CreateProcess(Modifier("real-1"));
        var refusedTest = await _server.WaitFor((string)(await CreateTest(toReal, """{"test": {}}"""))["obj_id"]!);
        var (toTest, toTestHash) = await _server.CreateProcess(Modifier("test-1"));
        var refusedReal = await _server.WaitFor(await _server.CreateTask(toTest, toTestHash, []));
        foreach (var refused in new[] { refusedTest, refusedReal })
        {
            Assert.That((string?)refused["node_id"], Is.EqualTo("refused"), refused.ToJsonString());
            Assert.That((string?)refused["data"]!["__conveyor_copy_task_return_type_tag__"], Is.EqualTo("test_task_apart"));
        }
        Assert.That((string?)refusedTest["data"]!["__conveyor_copy_task_return_description__"], Does.Contain("a test task changes only test tasks"));
        foreach (var id in new[] { real, (string)test["obj_id"]! })
        {
            var untouched = await _server.Task(id);
            Assert.That(((string?)untouched["status"], untouched["data"]!["touched"]), Is.EqualTo(("waiting", (JsonNode?)null)), $"task {id} was modified");
        }

        // A test task modifies a test task.
        var modified = await _server.WaitFor((string)(await CreateTest(toTest, """{"test": {}}"""))["obj_id"]!);
        Assert.That((string?)modified["node_id"], Is.EqualTo("done"), modified.ToJsonString());
        var woken = await _server.WaitFor((string)test["obj_id"]!);
        Assert.That((string?)woken["data"]!["touched"], Is.EqualTo("yes"));
        Assert.That((string?)(await _server.Task(real))["status"], Is.EqualTo("waiting"));

        // A queue holds a real and a test task: a test taker gets only the test one, an ordinary taker only the real one.
        var (orders, ordersHash) = await _server.CreateProcess(Definition("orders",
            Node("start", "start", exits: P("""{"next":"q"}""")),
            Node("q", "queue", [], P("""{"next":"done"}""")),
            Final("done")));
        var (worker, workerHash) = await _server.CreateProcess(Definition("worker",
            Node("start", "start", exits: P("""{"next":"take"}""")),
            Node("take", "get_from_queue", new JsonObject { ["conv_id"] = Conv(orders), ["node_id"] = "q" }, P("""{"next":"got","error":"empty"}""")),
            Final("got"), Final("empty", "error")));
        var realOrder = await _server.CreateTask(orders, ordersHash, new JsonObject { ["order"] = "real" });
        await _server.WaitFor(realOrder, "waiting");
        var testOrder = (string)(await CreateTest(orders, """{"data": {"order": "test"}, "test": {}}"""))["obj_id"]!;
        await _server.WaitFor(testOrder, "waiting");

        var testTaker = await _server.WaitFor((string)(await CreateTest(worker, """{"test": {}}"""))["obj_id"]!);
        Assert.That((string?)testTaker["data"]!["__queue_task_id__"], Is.EqualTo(testOrder), testTaker.ToJsonString());
        Assert.That((string?)(await _server.WaitFor(testOrder))["node_id"], Is.EqualTo("done"));
        var emptyForTests = await _server.WaitFor((string)(await CreateTest(worker, """{"test": {}}"""))["obj_id"]!);
        Assert.That((string?)emptyForTests["node_id"], Is.EqualTo("empty"), "a test task took a real task from the queue");
        Assert.That((string?)emptyForTests["data"]!["__conveyor_get_task_return_description__"], Does.Contain("no test task waits"));
        Assert.That((string?)(await _server.Task(realOrder))["status"], Is.EqualTo("waiting"));

        var realTaker = await _server.WaitFor(await _server.CreateTask(worker, workerHash, []));
        Assert.That((string?)realTaker["data"]!["__queue_task_id__"], Is.EqualTo(realOrder), realTaker.ToJsonString());
        await _server.WaitFor(realOrder);
        var counters = (await _server.GetJson($"/api/processes/{orders}/counters"))["nodes"]!;
        Assert.That(((long?)counters["q"]!["entered"], (long?)counters["done"]!["entered"]), Is.EqualTo(((long?)1, (long?)1)), "the test task taken from the queue was counted");
    }

    [Test]
    public async Task A_test_task_without_a_pinned_answer_does_not_call_out()
    {
        var (conv, _) = await _server.CreateProcess(Lead("no pin"));
        var calls = _fake.Calls;
        var created = await CreateTest(conv, """{"data": {}, "test": {}}""");
        var task = await _server.WaitFor((string)created["obj_id"]!);
        Assert.That((string?)task["node_id"], Is.EqualTo("failed"));
        Assert.That((string?)task["data"]!["__conveyor_api_return_type_tag__"], Is.EqualTo("blocked_address"));
        Assert.That((string?)task["data"]!["__conveyor_api_return_description__"], Does.Contain("pin an answer for node 'call'"));
        Assert.That(_fake.Calls, Is.EqualTo(calls));
    }

    [Test]
    public async Task A_pinned_error_status_goes_out_by_the_error_exit()
    {
        var (conv, _) = await _server.CreateProcess(Lead("pinned error"));
        var created = await CreateTest(conv, """{"test": {"answers": {"call": {"status": 503, "body": {"error": "down"}}}}}""");
        var task = await _server.WaitFor((string)created["obj_id"]!);
        Assert.That((string?)task["node_id"], Is.EqualTo("failed"));
        Assert.That((string?)task["data"]!["__conveyor_api_return_type_tag__"], Is.EqualTo("http_503"));
    }

    [Test]
    public async Task A_debug_run_stops_before_each_node_and_at_breakpoints_and_survives_a_restart()
    {
        var (conv, _) = await _server.CreateProcess(Lead("debug"));
        var created = await CreateTest(conv, """
            {"data": {"phone": "+300"}, "test": {"debug": true, "answers": {"call": {"body": {"lead_id": 9}}}}}
            """);
        var id = (string)created["obj_id"]!;
        // Answered once stopped before its first node.
        Assert.That((string?)created["status"], Is.EqualTo("waiting"));
        Assert.That((string?)created["wait"], Is.EqualTo("debug"));
        Assert.That((string?)created["node_id"], Is.EqualTo("start"));

        await Debug(id, """{"action": "step"}""");
        await StoppedAt(id, "prepare");
        await Debug(id, """{"action": "step"}""");
        var atCall = await StoppedAt(id, "call");
        Assert.That((string?)atCall["data"]!["stage"], Is.EqualTo("calling"));
        Assert.That(atCall["data"]!["crm"], Is.Null, "the call ran before its step");

        // A stopped debug task is a waiting task like any other: it is still stopped after a restart.
        await _server.RestartAsync();
        await StoppedAt(id, "call");

        // Continue to a breakpoint set now: the call and the sum run, the task stops before done.
        await Debug(id, """{"action": "continue", "breakpoints": ["done"]}""");
        var atDone = await StoppedAt(id, "done");
        Assert.That((int?)atDone["data"]!["crm"]!["lead_id"], Is.EqualTo(9));
        Assert.That(atDone["test"]!["breakpoints"]!.AsArray().Select(b => (string?)b), Is.EqualTo(new[] { "done" }));

        await Debug(id, """{"action": "continue"}""");
        var ended = await _server.WaitFor(id);
        Assert.That((string?)ended["result"], Is.EqualTo("success"));

        var history = ended["history"]!.AsArray();
        Assert.That(history.Select(s => (string?)s!["node_id"]), Is.EqualTo(new[] { "start", "prepare", "call", "count", "done" }));
        var call = history.Single(s => (string?)s!["node_id"] == "call")!;
        Assert.That((string?)call["title"], Is.EqualTo("API call"), "a node without a title is named by its type");
        Assert.That((int?)call["data"]!["crm"]!["lead_id"], Is.EqualTo(9), "a test task keeps the whole data after each step");
        Assert.That((string?)call["data"]!["phone"], Is.EqualTo("+300"));

        var (again, refusal) = await Post($"/api/tasks/{id}/debug", """{"action": "step"}""");
        Assert.That(again, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((string?)refusal["detail"], Does.Contain("has ended"));
    }

    [Test]
    public async Task Breakpoints_alone_run_to_the_first_one()
    {
        var (conv, _) = await _server.CreateProcess(Lead("breakpoints"));
        var created = await CreateTest(conv, """{"test": {"breakpoints": ["count"], "answers": {"call": {"body": {"lead_id": 1}}}}}""");
        var id = (string)created["obj_id"]!;
        var stopped = await StoppedAt(id, "count");
        Assert.That((int?)stopped["data"]!["crm"]!["lead_id"], Is.EqualTo(1));
        await Debug(id, """{"action": "step"}""");
        await StoppedAt(id, "done");
        await Debug(id, """{"action": "continue"}""");
        await _server.WaitFor(id);
    }

    [Test]
    public async Task The_history_of_any_task_shows_titles_and_each_steps_old_and_new_values()
    {
        var set = Node("set", "set_param", P("""{"values":{"stage":"two","added":"yes"}}"""), P("""{"next":"done"}"""));
        set["title"] = "Mark the stage";
        var (conv, hash) = await _server.CreateProcess(Definition("diff", Node("start", "start", exits: P("""{"next":"set"}""")), set, Final("done")));
        var id = await _server.CreateTask(conv, hash, new JsonObject { ["stage"] = "one", ["keep"] = 1 });
        var task = await _server.WaitFor(id);
        var step = task["history"]!.AsArray().Single(s => (string?)s!["node_id"] == "set")!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)step["title"], Is.EqualTo("Mark the stage"));
            Assert.That((string?)step["set"]!["stage"], Is.EqualTo("two"));
            Assert.That((string?)step["set"]!["added"], Is.EqualTo("yes"));
            Assert.That((string?)step["before"]!["stage"], Is.EqualTo("one"));
            Assert.That(step["before"]!.AsObject().ContainsKey("added"), Is.False, "a key that was not there before has no old value");
            Assert.That(step["before"]!.AsObject().ContainsKey("keep"), Is.False, "unchanged keys are not stored");
            Assert.That(step["data"], Is.Null, "an ordinary task stores only the difference");
        });
        var history = await _server.GetJson($"/api/tasks/{id}/history");
        Assert.That((string?)history.AsArray().Single(s => (string?)s!["node_id"] == "set")!["before"]!["stage"], Is.EqualTo("one"));
    }

    [TestCase("""{"test": []}""", "test must be an object")]
    [TestCase("""{"test": {"pause": true}}""", "test has no field 'pause'")]
    [TestCase("""{"test": {"debug": "yes"}}""", "test.debug must be true or false")]
    [TestCase("""{"test": {"breakpoints": "call"}}""", "breakpoints must be a list")]
    [TestCase("""{"test": {"breakpoints": ["nowhere"]}}""", "node 'nowhere'")]
    [TestCase("""{"test": {"answers": {"nowhere": {"status": 200}}}}""", "node 'nowhere'")]
    [TestCase("""{"test": {"answers": {"call": {"status": 99}}}}""", "status must be an HTTP status")]
    [TestCase("""{"test": {"answers": {"call": {"status": "ok"}}}}""", "status must be an HTTP status")]
    [TestCase("""{"test": {"answers": {"call": {"code": 200}}}}""", "must be an object with status and body")]
    [TestCase("""{"test": {"answers": []}}""", "test.answers must be an object")]
    public async Task A_bad_test_run_is_refused_with_a_sentence(string body, string expected)
    {
        var (conv, _) = await _server.CreateProcess(Lead("bad test " + expected));
        var (status, problem) = await Post($"/api/processes/{conv}/tasks", body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)problem["detail"], Does.Contain(expected));
        var listed = await _server.GetJson($"/api/processes/{conv}/tasks");
        Assert.That(listed.AsArray(), Is.Empty, "nothing was created");
    }

    [Test]
    public async Task Step_and_continue_refuse_what_they_cannot_do()
    {
        var (conv, hash) = await _server.CreateProcess(Lead("refusals"));
        var created = await CreateTest(conv, """{"test": {"debug": true}}""");
        var id = (string)created["obj_id"]!;

        foreach (var (body, expected) in new[]
        {
            ("""{"action": "jump"}""", "action must be"),
            ("""{"action": 1}""", "action must be"),
            ("""{}""", "action must be"),
            ("""{"action": "step", "node": "x"}""", "'node' is not a field here"),
            ("""{"action": "step", "breakpoints": ["nowhere"]}""", "node 'nowhere'"),
            ("""{"action": "step", "breakpoints": {}}""", "breakpoints must be a list"),
            ("""[]""", "must be a JSON object"),
        })
        {
            var (status, problem) = await Post($"/api/tasks/{id}/debug", body);
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body);
            Assert.That((string?)problem["detail"], Does.Contain(expected), body);
        }
        var (badId, _) = await Post("/api/tasks/not-an-id/debug", """{"action": "step"}""");
        Assert.That(badId, Is.EqualTo(HttpStatusCode.BadRequest));
        var (missing, _) = await Post("/api/tasks/0000000000000000000fffff/debug", """{"action": "step"}""");
        Assert.That(missing, Is.EqualTo(HttpStatusCode.NotFound));

        // An ordinary task is never stepped.
        var ordinary = await _server.CreateTask(conv, hash, []);
        var (notTest, why) = await Post($"/api/tasks/{ordinary}/debug", """{"action": "continue"}""");
        Assert.That(notTest, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((string?)why["detail"], Does.Contain("not a test task"));

        // Still stopped where it was after all the refusals.
        await StoppedAt(id, "start");
    }
}
