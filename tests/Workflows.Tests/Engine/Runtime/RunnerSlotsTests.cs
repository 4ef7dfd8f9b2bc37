using System.Text.Json.Nodes;
using Workflows.Engine.Runtime;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Runtime;

/// <summary>
/// The runner's compute slots: a run gives its slot back around commits and effects, and for good with
/// its last commit. However runs end (finished, waiting, woken by a timer, failed),
/// every slot is free again once no run is in flight: none lost, none given back twice.
/// </summary>
public sealed class RunnerSlotsTests
{
    const int Slots = 2;

    [Test]
    public async Task Every_compute_slot_is_free_again_once_the_runs_are_over()
    {
        await using var server = await TestServer.StartAsync(new() { ["Workflows:Runners"] = Slots.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var processes = new[]
        {
            Definition("finishes", Node("start", "start", exits: new JsonObject { ["next"] = "done" }), Final("done")),
            Waiter("waits"),
            Sleeper("woken by its timer", 1),
            // Fails: leaves by its error exit to a final.
            Single("code", new JsonObject { ["src"] = "throw new Error('no');" }),
        };
        var tasks = new List<(string Id, string Status)>();
        foreach (var definition in processes)
        {
            var (conv, hash) = await server.CreateProcess(definition);
            var status = definition.Contains("\"wait_callback\"", StringComparison.Ordinal) ? TaskPhases.Waiting : TaskPhases.Finished;
            var created = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => server.CreateTask(conv, hash, [])));
            tasks.AddRange(created.Select(id => (id, status)));
        }
        foreach (var (id, status) in tasks) await server.WaitFor(id, status);

        var runner = server.Get<TaskRunner>();
        for (var i = 0; i < 100 && runner.Running > 0; i++) await Task.Delay(20);
        Assert.That(runner.Running, Is.Zero, "runs still in flight");
        Assert.That(runner.FreeComputeSlots, Is.EqualTo(Slots));
    }
}
