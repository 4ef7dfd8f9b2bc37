using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Engine.Runtime;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Runtime;

/// <summary>Stop the server in the middle of things, start it again on the same SQLite file: every task goes on.</summary>
[Category(Categories.Slow)]
public sealed class RestartTests(string store) : OnBothStores(store)
{
    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    TestServer NewServer(ManualClock? clock = null)
    {
        var server = new TestServer(new() { ["Workflows:StopGraceMs"] = "300" },
            clock is null ? null : s => s.AddSingleton<IClock>(clock), store: Store);
        return server;
    }

    [Test]
    public async Task A_task_in_the_middle_of_a_flow_continues_after_a_restart()
    {
        await using var fake = await FakeService.StartAsync();
        await using var server = NewServer();
        await server.StartAsync();
        var (conv, hash) = await server.CreateProcess(Definition("call then finish",
            Node("start", "start", exits: P("""{"next":"prepare"}""")),
            Node("prepare", "set_param", P("""{"values":{"stage":"before call"}}"""), P("""{"next":"call"}""")),
            Node("call", "api", new JsonObject { ["method"] = "GET", ["url"] = fake.Url("/slow"), ["timeout_ms"] = 60000 }, P("""{"next":"after","error":"failed"}""")),
            Node("after", "set_param", P("""{"values":{"stage":"after call"}}"""), P("""{"next":"done"}""")),
            Final("done"), Final("failed", "error")));
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await server.CreateTask(conv, hash, new JsonObject { ["i"] = i }));
        // The API calls hang until the gate opens: stop the server while they are in flight.
        while (fake.Calls < 5) await Task.Delay(20);
        await server.StopAsync();

        fake.Gate.TrySetResult();
        await server.StartAsync();
        foreach (var id in ids)
        {
            var task = await server.WaitFor(id);
            Assert.That((string?)task["node_id"], Is.EqualTo("done"));
            Assert.That((string?)task["data"]!["stage"], Is.EqualTo("after call"));
            Assert.That((bool?)task["data"]!["slow"], Is.True);
        }
    }

    [Test]
    public async Task A_delay_due_while_the_server_was_down_fires_after_the_restart()
    {
        var clock = new ManualClock();
        await using var server = NewServer(clock);
        await server.StartAsync();
        var (conv, hash) = await server.CreateProcess(Sleeper("night sleep", 7200));
        var id = await server.CreateTask(conv, hash, []);
        await server.WaitFor(id, "waiting");
        await server.StopAsync();

        clock.Advance(TimeSpan.FromHours(3));
        await server.StartAsync();
        var task = await server.WaitFor(id, timeoutMs: 5000);
        Assert.That((string?)task["node_id"], Is.EqualTo("done"));
    }

    [Test]
    public async Task A_callback_sent_after_a_restart_finds_its_task_and_refs_stay_taken()
    {
        await using var server = NewServer();
        await server.StartAsync();
        var (conv, hash) = await server.CreateProcess(Waiter("wait for the robot"));
        var id = await server.CreateTask(conv, hash, [], "10.0.0.9");
        await server.WaitFor(id, "waiting");
        await server.RestartAsync();

        var duplicate = await server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"create","obj":"task","ref":"10.0.0.9","data":{}}]}""");
        Assert.That((string?)duplicate["ops"]![0]!["proc"], Is.EqualTo("error"));

        var answer = await server.PostJson($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"modify","obj":"task","ref":"10.0.0.9","data":{"result":"answered"}}]}""");
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("ok"));
        var task = await server.WaitFor(id);
        Assert.That((string?)task["data"]!["result"], Is.EqualTo("answered"));

        var counters = await server.GetJson($"/api/processes/{conv}/counters");
        Assert.That((long?)counters["nodes"]!["done"]!["now"], Is.EqualTo(1));
        Assert.That((long?)counters["nodes"]!["wait"]!["now"], Is.EqualTo(0));
        Assert.That((long?)counters["nodes"]!["wait"]!["entered"], Is.EqualTo(1));
    }

    [Test]
    public async Task Rpc_caller_and_callee_both_survive_a_restart()
    {
        await using var server = NewServer();
        await server.StartAsync();
        var (callee, calleeHash) = await server.CreateProcess(Definition("create lead [RPC]",
            Node("start", "start", exits: P("""{"next":"crm"}""")),
            Node("crm", "wait_callback", P("""{"timeout_seconds":86400}"""), P("""{"next":"reply","timeout":"reply"}""")),
            Node("reply", "reply", P("""{"data":{"lead_id":"{{lead_id}}"}}"""), P("""{"next":"done"}""")),
            Final("done")));
        var (caller, callerHash) = await server.CreateProcess(Definition("lead",
            Node("start", "start", exits: P("""{"next":"call"}""")),
            Node("call", "call_process", new JsonObject { ["conv_id"] = callee.ToString(CultureInfo.InvariantCulture), ["timeout_seconds"] = 3600 }, P("""{"next":"done","error":"failed","timeout":"failed"}""")),
            Final("done"), Final("failed", "error")));
        var id = await server.CreateTask(caller, callerHash, P("""{"phone":"7916"}"""));
        await server.WaitFor(id, "waiting");
        var inner = (await server.GetJson($"/api/processes/{callee}/tasks?node_id=crm")).AsArray().Single()!;
        await server.WaitFor((string)inner["obj_id"]!, "waiting");

        await server.RestartAsync();
        await server.PostJson($"/api/tasks/{(string)inner["obj_id"]!}/callback", """{"lead_id":4242}""");
        var task = await server.WaitFor(id);
        Assert.That((string?)task["node_id"], Is.EqualTo("done"));
        Assert.That((int?)task["data"]!["lead_id"], Is.EqualTo(4242));
        _ = calleeHash;
    }
}
