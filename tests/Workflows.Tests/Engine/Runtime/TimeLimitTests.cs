using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Engine.Runtime;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Runtime;

/// <summary>A time limit on any node (Corezoid's time semaphor): a task still in the node after it goes to the named node.</summary>
[Category(Categories.Slow)]
public sealed class TimeLimitTests
{
    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    static JsonObject Limited(JsonObject node, string limit)
    {
        node["time_limit"] = P(limit);
        return node;
    }

    [Test]
    public async Task An_api_call_still_waiting_at_the_limit_is_abandoned_and_the_task_goes_to_the_named_node()
    {
        await using var fake = await FakeService.StartAsync();
        await using var server = await TestServer.StartAsync();
        var (conv, hash) = await server.CreateProcess(Definition("slow crm",
            Node("start", "start", exits: P("""{"next":"call"}""")),
            Limited(Node("call", "api", new JsonObject { ["method"] = "GET", ["url"] = fake.Url("/slow"), ["timeout_ms"] = 60000 },
                P("""{"next":"done","error":"failed","timeout":"late"}""")), """{"seconds":1}"""),
            Final("done"), Final("failed", "error"), Final("late", "error")));
        var started = DateTime.UtcNow;
        var task = await server.WaitFor(await server.CreateTask(conv, hash, []), timeoutMs: 15_000);
        Assert.That((string?)task["node_id"], Is.EqualTo("late"), task.ToJsonString());
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(10)), "the call was abandoned, not waited for");
        var step = task["history"]!.AsArray().Single(h => (string?)h!["node_id"] == "call")!;
        Assert.That((string?)step["outcome"], Is.EqualTo("time_limit"));
        Assert.That((string?)step["exit"], Is.EqualTo("timeout"));
        Assert.That(fake.Calls, Is.EqualTo(1));
    }

    [Test]
    public async Task A_limit_from_a_unix_time_in_the_data_holds_across_a_restart()
    {
        var clock = new ManualClock();
        await using var server = new TestServer(new() { ["Workflows:StopGraceMs"] = "300" }, s => s.AddSingleton<IClock>(clock));
        await server.StartAsync();
        var (conv, hash) = await server.CreateProcess(Definition("call back before the deadline",
            Node("start", "start", exits: P("""{"next":"wait"}""")),
            Limited(Node("wait", "wait_callback", P("""{"timeout_seconds":86400}"""), P("""{"next":"done","timeout":"late"}""")), """{"until":"{{deadline}}"}"""),
            Limited(Node("sleep", "delay", P("""{"seconds":7200}"""), P("""{"next":"done","timeout":"late"}""")), """{"seconds":600}"""),
            Final("done"), Final("late", "error")));
        var deadline = clock.UtcNow.AddMinutes(30).ToUnixTimeSeconds();
        var id = await server.CreateTask(conv, hash, new JsonObject { ["deadline"] = deadline });
        await server.WaitFor(id, "waiting");
        await server.StopAsync();

        clock.Advance(TimeSpan.FromMinutes(20));
        await server.StartAsync();
        await Task.Delay(300);
        Assert.That((string?)(await server.Task(id))["status"], Is.EqualTo("waiting"), "before the limit the task stays");
        clock.Advance(TimeSpan.FromMinutes(11));
        var task = await server.WaitFor(id, timeoutMs: 10_000);
        Assert.That((string?)task["node_id"], Is.EqualTo("late"), task.ToJsonString());
    }

    [Test]
    public async Task A_delay_longer_than_its_limit_leaves_by_the_limit_and_a_shorter_one_by_next()
    {
        var clock = new ManualClock();
        await using var server = await TestServer.StartAsync(services: s => s.AddSingleton<IClock>(clock));

        // A delay under a 600 s limit; the clock moves on by `advance` once the task waits: the node it ends in.
        async Task<string?> EndsIn(int delaySeconds, TimeSpan advance)
        {
            var (conv, hash) = await server.CreateProcess(Definition($"sleep {delaySeconds} s under a limit",
                Node("start", "start", exits: P("""{"next":"sleep"}""")),
                Limited(Node("sleep", "delay", P($$"""{"seconds":{{delaySeconds}}}"""), P("""{"next":"done","timeout":"late"}""")), """{"seconds":600}"""),
                Final("done"), Final("late", "error")));
            var id = await server.CreateTask(conv, hash, []);
            await server.WaitFor(id, "waiting");
            clock.Advance(advance);
            return (string?)(await server.WaitFor(id))["node_id"];
        }

        Assert.That(await EndsIn(7200, TimeSpan.FromMinutes(11)), Is.EqualTo("late"));
        Assert.That(await EndsIn(60, TimeSpan.FromMinutes(2)), Is.EqualTo("done"));
    }

    [TestCase("""{"seconds":0}""", "time_limit.seconds")]
    [TestCase("""{}""", "time_limit")]
    [TestCase("""{"seconds":5,"until":"{{x}}"}""", "time_limit")]
    [TestCase("""{"until":"{{x"}""", "time_limit.until")]
    public async Task A_bad_time_limit_or_a_missing_timeout_exit_is_a_clear_error(string limit, string field)
    {
        await using var server = await TestServer.StartAsync();
        var definition = Definition("bad limit",
            Node("start", "start", exits: P("""{"next":"x"}""")),
            Limited(Node("x", "set_param", P("""{"values":{}}"""), P("""{"next":"done"}""")), limit),
            Final("done"));
        var answer = await server.PostJson("/api/validate", definition);
        var fields = answer["errors"]!.AsArray().Select(e => (string?)e!["field"]).ToList();
        Assert.That(fields, Does.Contain(field), answer.ToJsonString());
        Assert.That(fields, Does.Contain("exits.timeout"), "a time limit needs the exit it leads to");
    }
}
