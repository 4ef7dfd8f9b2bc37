using System.Globalization;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Engine.Runtime;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Runtime;

/// <summary>Delays, callbacks, time limits, copy task and call process, on a clock the tests move.</summary>
public sealed class WaitTests(string store) : OnBothStores(store)
{
    TestServer _server = null!;
    readonly ManualClock _clock = new();

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(services: s => s.AddSingleton<IClock>(_clock), store: Store);

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    [Test]
    public async Task A_create_whose_caller_left_before_the_commit_keeps_its_ref_and_counters()
    {
        var (conv, hash) = await _server.CreateProcess(Waiter("wait for the robot"));
        // The client is gone before its task is acknowledged (wrk ending a run with requests in flight).
        var outcome = await _server.Get<TaskService>().CreateAsync(conv, "left-early", [], new CancellationToken(canceled: true));
        Assert.That(outcome.Ok, Is.False);

        var until = DateTime.UtcNow.AddSeconds(10);
        JsonNode nodes;
        do
        {
            await Task.Delay(50);
            nodes = (await _server.GetJson($"/api/processes/{conv}/counters"))["nodes"]!;
        } while ((long?)nodes["wait"]?["now"] != 1 && DateTime.UtcNow < until);
        Assert.That((long?)nodes["wait"]!["now"], Is.EqualTo(1), "the task was stored and run to its waiting node");
        Assert.That((long?)nodes["start"]?["now"] ?? 0, Is.EqualTo(0), nodes.ToJsonString());

        var again = await _server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"create","obj":"task","ref":"left-early","data":{}}]}""");
        Assert.That((string?)again["ops"]![0]!["proc"], Is.EqualTo("error"), again.ToJsonString());
        Assert.That(again.ToJsonString(), Does.Contain("already used"));
    }

    [Test]
    public async Task A_delay_waits_for_its_time_and_then_continues()
    {
        var (conv, hash) = await _server.CreateProcess(Sleeper("sleep two hours", 7200));
        var id = await _server.CreateTask(conv, hash, []);
        var waiting = await _server.WaitFor(id, "waiting");
        Assert.That((string?)waiting["node_id"], Is.EqualTo("sleep"));
        // The task view says when the timers will wake it.
        Assert.That((string?)waiting["wait"], Is.EqualTo("time"));
        Assert.That(DateTimeOffset.Parse((string)waiting["wake_at"]!, System.Globalization.CultureInfo.InvariantCulture),
            Is.EqualTo(_clock.UtcNow.AddSeconds(7200)).Within(TimeSpan.FromSeconds(1)));
        Assert.That(waiting["time_limit_at"], Is.Null);

        _clock.Advance(TimeSpan.FromMinutes(119));
        await Task.Delay(400);
        Assert.That((string?)(await _server.Task(id))["status"], Is.EqualTo("waiting"));

        _clock.Advance(TimeSpan.FromMinutes(2));
        var done = await _server.WaitFor(id, timeoutMs: 3000);
        Assert.That((string?)done["node_id"], Is.EqualTo("done"));
        Assert.That(done["history"]!.AsArray().Select(s => (string?)s!["outcome"]), Does.Contain("timer"));
    }

    [Test]
    public async Task A_delay_until_a_time_from_the_data_and_one_already_past()
    {
        var (conv, hash) = await _server.CreateProcess(Definition("until",
            Node("start", "start", exits: P("""{"next":"sleep"}""")),
            Node("sleep", "delay", P("""{"until":"{{next_call_at}}"}"""), P("""{"next":"done"}""")),
            Final("done")));
        var future = await _server.CreateTask(conv, hash, new JsonObject { ["next_call_at"] = _clock.UtcNow.AddHours(1).ToUnixTimeSeconds() });
        var past = await _server.CreateTask(conv, hash, new JsonObject { ["next_call_at"] = _clock.UtcNow.AddHours(-1).ToString("O") });
        await _server.WaitFor(past);
        await _server.WaitFor(future, "waiting");
        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await _server.WaitFor(future, timeoutMs: 3000);
    }

    static string CallbackProcess(string title) => Definition(title,
        Node("start", "start", exits: P("""{"next":"wait"}""")),
        Node("wait", "wait_callback", P("""{"timeout_seconds":600,"task_id_path":"payload.task_id"}"""), P("""{"next":"route","timeout":"manual"}""")),
        Node("route", "condition", P("""{"rules":[{"exit":"answered","conditions":[{"param":"result","fun":"eq","const":"answered"}]}]}"""), P("""{"answered":"done","default":"manual"}""")),
        Final("done"), Final("manual", "error"));

    [Test]
    public async Task A_callback_by_ref_through_the_public_api_merges_data_and_continues()
    {
        var (conv, hash) = await _server.CreateProcess(CallbackProcess("callback by ref"));
        var id = await _server.CreateTask(conv, hash, P("""{"phone":"7916"}"""), "lead-1");
        await _server.WaitFor(id, "waiting");
        var answer = await _server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"modify","obj":"task","ref":"lead-1","data":{"result":"answered"}}]}""");
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("ok"), answer.ToJsonString());
        Assert.That((string?)answer["ops"]![0]!["obj_id"], Is.EqualTo(id));
        var task = await _server.WaitFor(id);
        Assert.That((string?)task["node_id"], Is.EqualTo("done"));
        Assert.That((string?)task["data"]!["phone"], Is.EqualTo("7916"));
    }

    [Test]
    public async Task A_callback_to_the_node_url_finds_the_task_by_the_path_in_the_body()
    {
        var (conv, hash) = await _server.CreateProcess(CallbackProcess("callback url"));
        var id = await _server.CreateTask(conv, hash, []);
        await _server.WaitFor(id, "waiting");
        var answer = await _server.PostJson($"/api/1/json/callback/{conv}/{hash}/wait", $$$"""{"payload":{"task_id":"{{{id}}}"},"result":"no_answer"}""");
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("ok"), answer.ToJsonString());
        var task = await _server.WaitFor(id);
        Assert.That((string?)task["node_id"], Is.EqualTo("manual"));
        Assert.That((string?)task["data"]!["result"], Is.EqualTo("no_answer"));
    }

    [Test]
    public async Task A_callback_by_the_wait_key_wakes_the_task_waiting_for_that_vendor_id_only()
    {
        var (conv, hash) = await _server.CreateProcess(Definition("callback by key",
            Node("start", "start", exits: P("""{"next":"wait"}""")),
            Node("wait", "wait_callback", P("""{"timeout_seconds":600,"key":"pay-{{payment}}","key_path":"object.id"}"""), P("""{"next":"route","timeout":"manual"}""")),
            Node("route", "condition", P("""{"rules":[{"exit":"answered","conditions":[{"param":"result","fun":"eq","const":"answered"}]}]}"""), P("""{"answered":"done","default":"manual"}""")),
            Final("done"), Final("manual", "error")));
        var first = await _server.CreateTask(conv, hash, P("""{"payment":"1"}"""));
        var second = await _server.CreateTask(conv, hash, P("""{"payment":"2"}"""));
        await _server.WaitFor(first, "waiting");
        await _server.WaitFor(second, "waiting");
        var answer = await _server.PostJson($"/api/1/json/callback/{conv}/{hash}/wait", """{"object":{"id":"pay-2"},"result":"answered"}""");
        Assert.That((string?)answer["ops"]![0]!["obj_id"], Is.EqualTo(second), answer.ToJsonString());
        Assert.That((string?)(await _server.WaitFor(second))["node_id"], Is.EqualTo("done"));
        Assert.That((string?)(await _server.Task(first))["status"], Is.EqualTo("waiting"));
        var unknown = await _server.PostJson($"/api/1/json/callback/{conv}/{hash}/wait", """{"object":{"id":"pay-9"}}""");
        Assert.That((string?)unknown["ops"]![0]!["proc"], Is.EqualTo("obj_id_not_found"), unknown.ToJsonString());
        var noKey = await _server.PostJson($"/api/1/json/callback/{conv}/{hash}/wait", """{"result":"answered"}""");
        Assert.That((string?)noKey["description"], Does.Contain("no wait key at 'object.id'"), noKey.ToJsonString());
    }

    [Test]
    public async Task A_callback_for_a_task_that_is_not_waiting_is_refused_and_changes_nothing()
    {
        var (conv, hash) = await _server.CreateProcess(CallbackProcess("not waiting"));
        var id = await _server.CreateTask(conv, hash, [], "r-x");
        await _server.WaitFor(id, "waiting");
        await _server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"modify","obj":"task","ref":"r-x","data":{"result":"answered"}}]}""");
        await _server.WaitFor(id);

        var again = await _server.PostJson($"/api/1/json/public/{conv}/{hash}", $$$"""{"ops":[{"type":"modify","obj":"task","obj_id":"{{{id}}}","data":{"result":"busy"}}]}""");
        Assert.That((string?)again["ops"]![0]!["proc"], Is.EqualTo("error"));
        Assert.That((string?)again["ops"]![0]!["description"], Does.Contain("not waiting for a callback"));
        Assert.That((string?)(await _server.Task(id))["data"]!["result"], Is.EqualTo("answered"));

        var unknown = await _server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"modify","obj":"task","ref":"nobody","data":{}}]}""");
        Assert.That((string?)unknown["ops"]![0]!["proc"], Is.EqualTo("obj_id_not_found"));
    }

    [Test]
    public async Task A_process_hash_cannot_modify_another_process_task()
    {
        var (convA, hashA) = await _server.CreateProcess(CallbackProcess("owner"));
        var (convB, hashB) = await _server.CreateProcess(CallbackProcess("intruder"));
        var id = await _server.CreateTask(convA, hashA, []);
        await _server.WaitFor(id, "waiting");
        var answer = await _server.PostJson($"/api/1/json/public/{convB}/{hashB}", $$$"""{"ops":[{"type":"modify","obj":"task","obj_id":"{{{id}}}","data":{"result":"answered"}}]}""");
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("obj_id_not_found"));
        Assert.That((string?)(await _server.Task(id))["status"], Is.EqualTo("waiting"));
    }

    [Test]
    public async Task A_callback_that_never_comes_leaves_by_the_timeout_exit()
    {
        var (conv, hash) = await _server.CreateProcess(CallbackProcess("no callback"));
        var id = await _server.CreateTask(conv, hash, []);
        var waiting = await _server.WaitFor(id, "waiting");
        var limit = DateTimeOffset.Parse((string)waiting["time_limit_at"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(limit, Is.EqualTo(_clock.UtcNow.AddSeconds(600)).Within(TimeSpan.FromSeconds(1)));
        Assert.That((string?)waiting["wake_at"], Is.EqualTo((string?)waiting["time_limit_at"]));
        _clock.Advance(TimeSpan.FromSeconds(601));
        var task = await _server.WaitFor(id, timeoutMs: 3000);
        Assert.That((string?)task["node_id"], Is.EqualTo("manual"));
        Assert.That(task["history"]!.AsArray().Select(s => (string?)s!["exit"]), Does.Contain("timeout"));
    }

    [Test]
    public async Task Copy_task_creates_a_task_in_another_process_and_moves_on()
    {
        var (target, targetHash) = await _server.CreateProcess(Definition("robot call",
            Node("start", "start", exits: P("""{"next":"wait"}""")),
            Node("wait", "wait_callback", P("""{"timeout_seconds":600}"""), P("""{"next":"done","timeout":"done"}""")),
            Final("done")));
        var (conv, hash) = await _server.CreateProcess(Definition("lead",
            Node("start", "start", exits: P("""{"next":"copy"}""")),
            Node("copy", "copy_task", new JsonObject { ["conv_id"] = target.ToString(CultureInfo.InvariantCulture), ["ref"] = "{{phone}}", ["data"] = P("""{"phone":"{{phone}}","lead_id":"{{lead_id}}"}""") }, P("""{"next":"done","error":"failed"}""")),
            Final("done"), Final("failed", "error")));

        var first = await _server.WaitFor(await _server.CreateTask(conv, hash, P("""{"phone":"79161234567","lead_id":17}""")));
        Assert.That((string?)first["node_id"], Is.EqualTo("done"));
        var copied = (await _server.GetJson($"/api/processes/{target}/tasks?ref=79161234567")).AsArray().Single()!;
        Assert.That((int?)copied["data"]!["lead_id"], Is.EqualTo(17));
        await _server.WaitFor((string)copied["obj_id"]!, "waiting");

        // The same ref is still active in the target: the copy fails with a clear tag.
        var second = await _server.WaitFor(await _server.CreateTask(conv, hash, P("""{"phone":"79161234567","lead_id":18}""")));
        Assert.That((string?)second["node_id"], Is.EqualTo("failed"));
        Assert.That((string?)second["data"]!["__conveyor_copy_task_return_type_tag__"], Is.EqualTo("not_unical_ref"), "Corezoid's tag");

        // Modify mode sends data to the task waiting there by ref.
        var (modifier, modifierHash) = await _server.CreateProcess(Definition("modifier",
            Node("start", "start", exits: P("""{"next":"m"}""")),
            Node("m", "copy_task", new JsonObject { ["mode"] = "modify", ["conv_id"] = target.ToString(CultureInfo.InvariantCulture), ["ref"] = "{{phone}}", ["data"] = P("""{"result":"answered"}""") }, P("""{"next":"done","error":"failed"}""")),
            Final("done"), Final("failed", "error")));
        var modified = await _server.WaitFor(await _server.CreateTask(modifier, modifierHash, P("""{"phone":"79161234567"}""")));
        Assert.That((string?)modified["node_id"], Is.EqualTo("done"), modified.ToJsonString());
        var after = await _server.WaitFor((string)copied["obj_id"]!);
        Assert.That((string?)after["data"]!["result"], Is.EqualTo("answered"));
        _ = targetHash;
    }

    [Test]
    public async Task Copy_task_to_a_missing_or_paused_process_fails_with_a_tag()
    {
        var (paused, _) = await _server.CreateProcess(Single("set_param", P("""{"values":{"a":1}}""")));
        await _server.Http.PostAsync($"/api/processes/{paused}/pause", null);
        foreach (var (target, tag) in new[] { ("999999", "process_not_found"), (paused.ToString(CultureInfo.InvariantCulture), "process_paused") })
        {
            var (conv, hash) = await _server.CreateProcess(Single("copy_task", new JsonObject { ["conv_id"] = target }));
            var task = await _server.WaitFor(await _server.CreateTask(conv, hash, []));
            Assert.That((string?)task["data"]!["__conveyor_copy_task_return_type_tag__"], Is.EqualTo(tag));
        }
    }

    static string Callee(string title, bool exception = false) => Definition(title,
        Node("start", "start", exits: P("""{"next":"work"}""")),
        Node("work", "set_param", P("""{"values":{"lead_id":"$.math({{n}} * 100)"}}"""), P("""{"next":"reply"}""")),
        Node("reply", "reply", exception
            ? P("""{"exception":true,"exception_reason":"CRM refused lead {{n}}"}""")
            : P("""{"data":{"lead_id":"{{lead_id}}"}}"""), P("""{"next":"done"}""")),
        Final("done"));

    static string Caller(long callee) => Definition("caller",
        Node("start", "start", exits: P("""{"next":"call"}""")),
        Node("call", "call_process", new JsonObject { ["conv_id"] = callee.ToString(CultureInfo.InvariantCulture), ["data"] = P("""{"n":"{{n}}"}"""), ["timeout_seconds"] = 60 }, P("""{"next":"done","error":"failed","timeout":"late"}""")),
        Final("done"), Final("failed", "error"), Final("late", "error"));

    [Test]
    public async Task Call_process_waits_for_the_reply_and_merges_it()
    {
        var (callee, _) = await _server.CreateProcess(Callee("create lead [RPC]"));
        var (conv, hash) = await _server.CreateProcess(Caller(callee));
        var task = await _server.WaitFor(await _server.CreateTask(conv, hash, P("""{"n":7}""")));
        Assert.That((string?)task["node_id"], Is.EqualTo("done"), task.ToJsonString());
        Assert.That((double?)task["data"]!["lead_id"], Is.EqualTo(700));
    }

    [Test]
    public async Task An_exception_reply_sends_the_caller_to_its_error_exit()
    {
        var (callee, _) = await _server.CreateProcess(Callee("failing RPC", exception: true));
        var (conv, hash) = await _server.CreateProcess(Caller(callee));
        var task = await _server.WaitFor(await _server.CreateTask(conv, hash, P("""{"n":3}""")));
        Assert.That((string?)task["node_id"], Is.EqualTo("failed"));
        Assert.That((string?)task["data"]!["__conveyor_rpc_return_description__"], Is.EqualTo("CRM refused lead 3"));
    }

    [Test]
    public async Task A_callee_that_never_replies_leaves_the_caller_to_its_time_limit()
    {
        var (callee, _) = await _server.CreateProcess(Waiter("silent"));
        var (conv, hash) = await _server.CreateProcess(Caller(callee));
        var id = await _server.CreateTask(conv, hash, P("""{"n":1}"""));
        await _server.WaitFor(id, "waiting");
        _clock.Advance(TimeSpan.FromSeconds(61));
        var task = await _server.WaitFor(id, timeoutMs: 3000);
        Assert.That((string?)task["node_id"], Is.EqualTo("late"));
    }

    [Test]
    public async Task Runaway_recursion_through_call_process_is_stopped()
    {
        var (conv, hash) = await _server.CreateProcess(Definition("recursive", Node("start", "start", exits: P("""{"next":"placeholder"}""")), Final("placeholder")));
        // The process calls itself: every level waits for the next, until the depth guard refuses.
        var self = Definition("recursive",
            Node("start", "start", exits: P("""{"next":"call"}""")),
            Node("call", "call_process", new JsonObject { ["conv_id"] = conv.ToString(CultureInfo.InvariantCulture), ["timeout_seconds"] = 600 }, P("""{"next":"reply","error":"reply_error","timeout":"reply_error"}""")),
            Node("reply", "reply", [], P("""{"next":"done"}""")),
            Node("reply_error", "reply", P("""{"exception":true,"exception_reason":"{{__conveyor_rpc_return_description__}}"}"""), P("""{"next":"failed"}""")),
            Final("done"), Final("failed", "error"));
        using (await _server.Http.PutJsonAsync($"/api/processes/{conv}", self)) { }
        var task = await _server.WaitFor(await _server.CreateTask(conv, hash, []), timeoutMs: 15_000);
        Assert.That((string?)task["node_id"], Is.EqualTo("failed"), task.ToJsonString());
        Assert.That((string?)task["data"]!["__conveyor_rpc_return_description__"], Does.Contain("nest deeper"));
    }

    [Test]
    public async Task A_count_limit_escalates_when_the_node_overflows_and_again_when_it_drops_back()
    {
        var (alerts, _) = await _server.CreateProcess(Definition("alerts",
            Node("start", "start", exits: P("""{"next":"done"}""")), Final("done")));
        var definition = JsonNode.Parse(CallbackProcess("busy operators"))!.AsObject();
        definition["nodes"]![1]!["count_limit"] = new JsonObject { ["max"] = 2, ["conv_id"] = alerts.ToString(CultureInfo.InvariantCulture) };
        var (conv, hash) = await _server.CreateProcess(definition.ToJsonString());
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await _server.CreateTask(conv, hash, [], $"c-{i}"));
        foreach (var id in ids) await _server.WaitFor(id, "waiting");
        await _server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"modify","obj":"task","ref":"c-0","data":{"result":"answered"}}]}""");
        await _server.WaitFor(ids[0]);

        JsonArray escalations = [];
        for (var i = 0; i < 100 && escalations.Count < 2; i++)
        {
            escalations = (await _server.GetJson($"/api/processes/{alerts}/tasks")).AsArray();
            await Task.Delay(20);
        }
        var states = escalations.OrderBy(e => (string)e!["obj_id"]!).Select(e => e!["data"]!).ToList();
        Assert.That(states.Select(d => (string?)d["state"]), Is.EqualTo(new[] { "over", "back" }));
        Assert.That((long?)states[0]["count"], Is.EqualTo(3));
        Assert.That((string?)states[0]["node_id"], Is.EqualTo("wait"));
        Assert.That((long?)states[1]["count"], Is.EqualTo(2));
    }

    [Test]
    public async Task A_paused_process_keeps_its_tasks_in_place_and_resuming_continues_them()
    {
        var (conv, hash) = await _server.CreateProcess(Definition("pausable",
            Node("start", "start", exits: P("""{"next":"sleep"}""")),
            Node("sleep", "delay", P("""{"seconds":60}"""), P("""{"next":"mark"}""")),
            Node("mark", "set_param", P("""{"values":{"went_on":true}}"""), P("""{"next":"done"}""")),
            Final("done")));
        var id = await _server.CreateTask(conv, hash, []);
        await _server.WaitFor(id, "waiting");
        await _server.Http.PostAsync($"/api/processes/{conv}/pause", null);
        _clock.Advance(TimeSpan.FromSeconds(61));
        await Task.Delay(500);
        var kept = await _server.Task(id);
        Assert.That((string?)kept["node_id"], Is.EqualTo("sleep"));
        Assert.That((string?)kept["status"], Is.EqualTo("waiting"));

        await _server.Http.PostAsync($"/api/processes/{conv}/resume", null);
        var task = await _server.WaitFor(id, timeoutMs: 3000);
        Assert.That((bool?)task["data"]!["went_on"], Is.True);
    }

    /// <summary>
    /// On its own store the timers read a task's row before it falls due and hold it softly; on a shared
    /// store they read it as it falls due, so there is nothing to wait for.
    /// </summary>
    async Task UntilReadAhead(string objId)
    {
        if (Store != "sqlite") return;
        Assert.That(TaskIds.TryParse(objId, out var id));
        var queue = _server.Get<TaskQueue>();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!queue.IsHeldAhead(id) && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.That(queue.IsHeldAhead(id), "the timers read the task ahead of its time");
    }

    [Test]
    public async Task A_callback_refused_by_a_task_whose_timer_is_read_ahead_leaves_the_timer_to_fire()
    {
        var (conv, hash) = await _server.CreateProcess(Sleeper("read ahead, refused callback", 3));
        var objId = await _server.CreateTask(conv, hash, []);
        await _server.WaitFor(objId, "waiting");
        await UntilReadAhead(objId);
        // The callback takes the task over from the timers, reads it and is refused: nothing moved.
        Assert.That(TaskIds.TryParse(objId, out var id));
        var refused = await _server.Get<TaskWaker>().CallbackAsync(id, new JsonObject { ["x"] = 1 });
        Assert.That(refused.Ok, Is.False, "the task waits for a time, not for a callback");

        _clock.Advance(TimeSpan.FromSeconds(4));
        var done = await _server.WaitFor(objId, timeoutMs: 5000);
        Assert.That((string?)done["node_id"], Is.EqualTo("done"));
        Assert.That(done["data"]!["x"], Is.Null);
        Assert.That(done["history"]!.AsArray().Count(s => (string?)s!["outcome"] == "timer"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_callback_to_a_task_whose_time_limit_is_read_ahead_wins_and_the_limit_never_fires()
    {
        var (conv, hash) = await _server.CreateProcess(Definition("read ahead, callback wins",
            Node("start", "start", exits: P("""{"next":"wait"}""")),
            Node("wait", "wait_callback", P("""{"timeout_seconds":3}"""), P("""{"next":"answered","timeout":"late"}""")),
            Final("answered"), Final("late", "error")));
        var objId = await _server.CreateTask(conv, hash, []);
        await _server.WaitFor(objId, "waiting");
        await UntilReadAhead(objId);
        Assert.That(TaskIds.TryParse(objId, out var id));
        var woken = await _server.Get<TaskWaker>().CallbackAsync(id, new JsonObject { ["answer"] = "yes" });
        Assert.That(woken.Ok, woken.Description);
        var done = await _server.WaitFor(objId, timeoutMs: 5000);
        Assert.That((string?)done["node_id"], Is.EqualTo("answered"));

        // The copy the timers read ahead is stale now: when its time comes it must not move the task again.
        _clock.Advance(TimeSpan.FromSeconds(4));
        var fired = _server.Get<TimerService>().Fired;
        var until = DateTime.UtcNow.AddSeconds(2);
        while (_server.Get<TimerService>().ReadAhead > 0 && DateTime.UtcNow < until) await Task.Delay(20);
        var after = await _server.Task(objId);
        Assert.That((string?)after["node_id"], Is.EqualTo("answered"));
        Assert.That(after["history"]!.AsArray().Select(s => (string?)s!["outcome"]), Has.No.Member("time_limit"));
        Assert.That((string?)after["data"]!["answer"], Is.EqualTo("yes"));
        Assert.That(_server.Get<TimerService>().Fired, Is.EqualTo(fired), "no timer fired for the answered task");
    }

    [Test]
    public async Task A_short_delay_that_starts_after_the_timers_read_past_its_time_fires_on_time()
    {
        var (four, fourHash) = await _server.CreateProcess(Sleeper("read ahead, 4 s", 4));
        var (one, oneHash) = await _server.CreateProcess(Sleeper("read ahead, 1 s", 1));
        // The first task's timer moves the timers' read to four seconds ahead; the second task's one second lies behind it.
        var later = await _server.CreateTask(four, fourHash, []);
        await _server.WaitFor(later, "waiting");
        await UntilReadAhead(later);
        var sooner = await _server.CreateTask(one, oneHash, []);
        await _server.WaitFor(sooner, "waiting");

        _clock.Advance(TimeSpan.FromSeconds(2));
        var done = await _server.WaitFor(sooner, timeoutMs: 5000);
        Assert.That((string?)done["node_id"], Is.EqualTo("done"));
        Assert.That((string?)(await _server.Task(later))["status"], Is.EqualTo("waiting"), "the four-second delay is not due yet");
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.That((string?)(await _server.WaitFor(later, timeoutMs: 5000))["node_id"], Is.EqualTo("done"));
    }

    [Test]
    public async Task Ten_thousand_timers_due_in_the_same_second_all_fire_within_seconds()
    {
        var (conv, _) = await _server.CreateProcess(Sleeper("wave", 3600));
        var tasks = _server.Get<TaskService>();
        var creates = Enumerable.Range(0, 10_000).Select(i => tasks.CreateAsync(conv, null, new JsonObject { ["i"] = i }));
        var created = await Task.WhenAll(creates);
        Assert.That(created.All(c => c.Ok), Is.True);
        await WaitForCount(conv, "sleep", 10_000, TimeSpan.FromSeconds(60));

        _clock.Advance(TimeSpan.FromSeconds(3601));
        var watch = Stopwatch.StartNew();
        await WaitForCount(conv, "done", 10_000, TimeSpan.FromSeconds(30));
        TestContext.Out.WriteLine($"10,000 due timers fired and finished in {watch.ElapsedMilliseconds} ms");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    async Task WaitForCount(long conv, string node, long count, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            var counters = await _server.GetJson($"/api/processes/{conv}/counters");
            var now = (long)counters["nodes"]![node]!["now"]!;
            if (now >= count) return;
            if (DateTime.UtcNow > until) Assert.Fail($"only {now} of {count} tasks reached '{node}' within {limit}");
            await Task.Delay(100);
        }
    }
}
