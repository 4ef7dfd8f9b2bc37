using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflows.Engine;
using Workflows.Engine.Definitions;
using Workflows.Engine.Runtime;

namespace Workflows.Benchmarks;

/// <summary>Node steps per second through the runner and the group-commit writer, without HTTP.</summary>
static class EngineOnly
{
    public static async Task Run(string[] args)
    {
        var tasks = int.Parse(Args.Get(args, "tasks", "200000"), System.Globalization.CultureInfo.InvariantCulture);
        var nodes = int.Parse(Args.Get(args, "nodes", "10"), System.Globalization.CultureInfo.InvariantCulture);
        var folder = Path.Combine(Path.GetTempPath(), "workflows-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            // --store postgres --connection "Host=...;Database=...": the same run on PostgreSQL (an empty database).
            .ConfigureServices(s => s.AddWorkflowsEngine(new EngineOptions
            {
                Store = Args.Get(args, "store", "sqlite"),
                ConnectionString = Args.Get(args, "connection", $"Data Source={Path.Combine(folder, "workflows.db")}"),
                SqliteSynchronous = Args.Get(args, "synchronous", "FULL"),
            }))
            .Build();
        await host.StartAsync();
        var registry = host.Services.GetRequiredService<ProcessRegistry>();
        var service = host.Services.GetRequiredService<TaskService>();
        var counters = host.Services.GetRequiredService<NodeCounters>();

        // start → (nodes - 2) set-parameter and condition steps → final.
        var list = new List<NodeDefinition> { new() { Id = "start", Type = "start", Exits = { ["next"] = "n1" } } };
        for (var i = 1; i <= nodes - 2; i++)
        {
            var next = i == nodes - 2 ? "done" : $"n{i + 1}";
            list.Add(i % 2 == 1
                ? new NodeDefinition { Id = $"n{i}", Type = "set_param", Params = new JsonObject { ["values"] = new JsonObject { [$"k{i}"] = "{{seed}}-" + i } }, Exits = { ["next"] = next } }
                : new NodeDefinition { Id = $"n{i}", Type = "condition", Params = JsonNode.Parse($$"""{"rules":[{"exit":"never","conditions":[{"param":"seed","fun":"eq","const":"nope"}]}]}""")!.AsObject(), Exits = { ["never"] = next, ["default"] = next } });
        }
        list.Add(new NodeDefinition { Id = "done", Type = "final" });
        var process = await registry.CreateAsync(new ProcessDefinition { Title = "bench: engine only", Nodes = list });

        var watch = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        using var inFlight = new SemaphoreSlim(5000);
        var pending = new List<Task>(tasks);
        for (var i = 0; i < tasks; i++)
        {
            await inFlight.WaitAsync();
            pending.Add(service.CreateAsync(process.ConvId, null, new JsonObject { ["seed"] = i }).ContinueWith(_ => inFlight.Release(), TaskScheduler.Default));
        }
        await Task.WhenAll(pending);
        while (counters.ForProcess(process.ConvId).TryGetValue("done", out var done) && done.InNode < tasks) await Task.Delay(10);
        var elapsed = watch.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / elapsed * 100;
        var writer = host.Services.GetRequiredService<Workflows.Engine.Store.TaskWriter>();
        Console.WriteLine($"| tasks | nodes per task | node steps/s | tasks/s | commits | task writes per commit | writer busy | CPU | peak working set |");
        Console.WriteLine($"|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {tasks} | {nodes} | {(double)tasks * nodes / elapsed:F0} | {tasks / elapsed:F0} | {writer.Batches} | {(double)writer.Rows / Math.Max(1, writer.Batches):F1} | {writer.Busy.TotalSeconds / elapsed * 100:F0} % | {cpu:F0} % | {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MiB |");
        await host.StopAsync();
    }
}
