using System.Diagnostics;
using System.Text.Json.Nodes;
using Workflows.Engine.Scripting;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Scripting;

/// <summary>No script can starve the engine: scripts run on script threads, watched against their limit.</summary>
public class ScriptSlotTests
{
    [Test]
    public async Task Work_stuck_in_one_call_past_its_limit_is_failed_on_time_and_its_slot_replaced()
    {
        using var slots = new ScriptSlots(TimeSpan.FromMilliseconds(200));
        using var release = new ManualResetEventSlim();
        var clock = Stopwatch.StartNew();
        // Stands for a built-in call that never checks Jint's limits.
        var stuck = slots.Run(() => { release.Wait(); return 1; });
        var error = Assert.ThrowsAsync<ScriptFailureException>(async () => await stuck)!;
        Assert.That(error.Tag, Is.EqualTo("timeout"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "failed at its limit plus the grace, not when the call returns");
        Assert.That(slots.Stuck, Is.EqualTo(1));
        // Other work does not wait for the stuck thread.
        Assert.That(await slots.Run(() => 42).WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo(42));
        release.Set();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (slots.Stuck > 0 && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.That(slots.Stuck, Is.Zero, "the thread ends once its call returns");
    }

    [TestCase("var i = 0; while (true) { i++; }")]
    [TestCase("data.ok = /^(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!');")]
    public async Task A_short_script_runs_on_the_callers_thread_and_one_past_the_budget_moves_to_a_script_thread(string slow)
    {
        // No statement cap: a fast machine runs a bare loop past ten million statements inside the second,
        // and this test is about the time limit.
        var host = new ScriptHost(new Workflows.Engine.EngineOptions { ScriptTimeoutMs = 1000, ScriptMaxStatements = int.MaxValue });
        var quick = host.Compile("data.n = `${data.n ?? 0}` + '!';");
        var threads = host.Slots.Threads;
        var ran = host.RunAsync(quick, new JsonObject { ["n"] = 1 }, 1);
        Assert.That(ran.IsCompletedSuccessfully, "a short script completes before the call returns: no hop");
        Assert.That((string?)(await ran)["n"], Is.EqualTo("1!"));
        Assert.That(host.Slots.Threads, Is.EqualTo(threads), "no script thread was needed");

        var clock = Stopwatch.StartNew();
        var hostile = host.RunAsync(host.Compile(slow), [], 1);
        var held = clock.Elapsed;
        Assert.That(held, Is.LessThan(TimeSpan.FromMilliseconds(500)), "the caller is held about the inline budget, not the script's limit");
        Assert.That(hostile.IsCompleted, Is.False, "the rest runs on a script thread");
        var error = Assert.ThrowsAsync<ScriptFailureException>(async () => await hostile)!;
        Assert.That(error.Tag, Is.EqualTo("timeout"), error.Message);
        Assert.That(error.Message, Does.Contain("1000 ms"), "failed under the full limit, not the budget");
    }

    [Test]
    public async Task A_script_slow_for_a_while_runs_inline_again_once_it_is_quick()
    {
        var host = new ScriptHost(new Workflows.Engine.EngineOptions { ScriptTimeoutMs = 5000, ScriptMaxStatements = int.MaxValue });
        // As slow as data.ms says: past the budget inline and on the script thread too.
        var script = host.Compile("var t = Date.now(); while (Date.now() - t < data.ms) {} data.done = true;");
        var slow = host.RunAsync(script, new JsonObject { ["ms"] = 3 * ScriptHost.InlineBudget.TotalMilliseconds }, 1);
        Assert.That((bool?)(await slow.WaitAsync(TimeSpan.FromSeconds(30)))["done"], Is.True);

        // Quick from now on: within a few seconds (the first slow spell lasts one) it is tried inline again.
        var until = DateTime.UtcNow.AddSeconds(30);
        Task<JsonObject> quick;
        while (!(quick = host.RunAsync(script, new JsonObject { ["ms"] = 0 }, 1)).IsCompletedSuccessfully)
        {
            await quick.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(DateTime.UtcNow, Is.LessThan(until), "a script that became quick never ran inline again");
            await Task.Delay(50);
        }
        Assert.That((bool?)(await quick)["done"], Is.True);
    }

    [Test]
    public async Task More_hostile_scripts_than_runners_leave_other_processes_at_their_usual_pace()
    {
        await using var server = await TestServer.StartAsync(new() { ["Workflows:ScriptTimeoutMs"] = "1000", ["Workflows:Runners"] = "2" });
        var hostileSources = new[]
        {
            "while (true) {}",
            "var a = []; while (1) a.push(new Array(1e6).join('x'));",
            "data.ok = /^(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!');",
            "data.s = new Array(1e9).join();",
        };
        var hostile = new List<(long Conv, string Hash)>();
        foreach (var src in hostileSources) hostile.Add(await server.CreateProcess(Single("code", new JsonObject { ["src"] = src })));
        var (quick, quickHash) = await server.CreateProcess(Single("code", new JsonObject { ["src"] = "data.phone = String(data.phone).replace(/^8/, '7');" }));

        async Task<double> QuickLatencyMs()
        {
            var clock = Stopwatch.StartNew();
            var task = await server.WaitFor(await server.CreateTask(quick, quickHash, new JsonObject { ["phone"] = "89161234567" }));
            Assert.That((string?)task["node_id"], Is.EqualTo("ok"));
            return clock.Elapsed.TotalMilliseconds;
        }
        var before = new List<double>();
        for (var i = 0; i < 10; i++) before.Add(await QuickLatencyMs());

        // Three of each hostile script at once: twelve, against two runners.
        var clockAll = Stopwatch.StartNew();
        var bad = new List<Task<string>>();
        foreach (var (conv, hash) in hostile)
            for (var i = 0; i < 3; i++) bad.Add(server.CreateTask(conv, hash, []));
        var during = new List<double>();
        for (var i = 0; i < 10; i++) during.Add(await QuickLatencyMs());
        foreach (var id in bad)
        {
            var task = await server.WaitFor(await id, timeoutMs: 30_000);
            Assert.That((string?)task["node_id"], Is.EqualTo("err"), task.ToJsonString());
            Assert.That((string?)task["data"]!["__conveyor_code_return_description__"], Is.Not.Empty);
        }
        var hostileDone = clockAll.Elapsed;
        var medianBefore = before.Order().ElementAt(5);
        var medianDuring = during.Order().ElementAt(5);
        TestContext.Out.WriteLine($"quick task median {medianBefore:F0} ms before, {medianDuring:F0} ms with 12 hostile scripts running; hostile all ended after {hostileDone.TotalMilliseconds:F0} ms");
        // Without script threads the runners would be held by hostile scripts for a second at a time.
        Assert.That(medianDuring, Is.LessThan(Math.Max(3 * medianBefore, medianBefore + 300)));
        var health = await server.GetJson("/health");
        Assert.That(health["script_slots"], Is.Not.Null, health.ToJsonString());
    }
}
