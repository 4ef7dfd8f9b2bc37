using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Engine.Runtime;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Runtime;

/// <summary>Finished tasks are archived and pruned after their retention, and the database stops growing.</summary>
[Category(Categories.Slow)]
public sealed class GrowthTests
{
    [Test]
    public async Task Finished_tasks_past_their_retention_are_archived_and_pruned_and_the_file_does_not_grow()
    {
        var clock = new ManualClock();
        var archive = Path.Combine(Path.GetTempPath(), "workflows-tests", "archive-" + Guid.NewGuid().ToString("n"));
        await using var server = new TestServer(new() { ["Workflows:ArchiveFolder"] = archive, ["Workflows:PruneEverySeconds"] = "3600" },
            s => s.AddSingleton<IClock>(clock));
        await server.StartAsync();
        var definition = JsonNode.Parse(Definition("short-lived",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"route"}""")!.AsObject()),
            Node("route", "condition", JsonNode.Parse("""{"rules":[{"exit":"park","conditions":[{"param":"park","fun":"eq","const":"true","cast":"boolean"}]}]}""")!.AsObject(),
                JsonNode.Parse("""{"park":"wait","default":"done"}""")!.AsObject()),
            Node("wait", "wait_callback", JsonNode.Parse("""{"timeout_seconds":31536000}""")!.AsObject(), JsonNode.Parse("""{"next":"done","timeout":"done"}""")!.AsObject()),
            Final("done")))!.AsObject();
        definition["settings"] = new JsonObject { ["retention_hours"] = 1 };
        var (conv, _) = await server.CreateProcess(definition.ToJsonString());
        var tasks = server.Get<TaskService>();
        var retention = server.Get<RetentionService>();
        var parked = await tasks.CreateAsync(conv, "keep-me", new JsonObject { ["park"] = true });

        long? firstSize = null;
        long lastSize = 0;
        for (var round = 0; round < 3; round++)
        {
            var created = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => tasks.CreateAsync(conv, null, new JsonObject { ["i"] = i, ["pad"] = new string('x', 400) })));
            Assert.That(created.All(c => c.Ok), Is.True);
            clock.Advance(TimeSpan.FromHours(2));
            Assert.That(await retention.PruneAsync(), Is.EqualTo(2000));
            var size = DatabaseSize(server.Folder);
            firstSize ??= size;
            lastSize = size;
        }
        TestContext.Out.WriteLine($"database after round 1: {firstSize / 1024} KiB, after round 3: {lastSize / 1024} KiB");
        Assert.That(lastSize, Is.LessThanOrEqualTo(firstSize! * 1.2), "the database keeps growing although tasks are pruned");

        var left = (await server.GetJson($"/api/processes/{conv}/tasks")).AsArray();
        Assert.That(left.Select(t => (string?)t!["ref"]), Is.EqualTo(new[] { "keep-me" }), "only the waiting task stays");
        var counters = await server.GetJson($"/api/processes/{conv}/counters");
        Assert.That((long?)counters["nodes"]!["done"]!["now"], Is.EqualTo(0));
        Assert.That((long?)counters["nodes"]!["wait"]!["now"], Is.EqualTo(1));

        var lines = Directory.GetFiles(archive).SelectMany(File.ReadLines).ToList();
        Assert.That(lines, Has.Count.EqualTo(6000));
        var archived = JsonNode.Parse(lines[0])!;
        Assert.That((string?)archived["node_id"], Is.EqualTo("done"));
        Assert.That(archived["history"]!.AsArray(), Is.Not.Empty);
        _ = parked;
        Directory.Delete(archive, true);
    }

    /// <summary>The database's size once the WAL is folded back into it (retried while a reader holds it).</summary>
    static long DatabaseSize(string folder)
    {
        var file = Path.Combine(folder, "workflows.db");
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
        connection.Open();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            using var reader = command.ExecuteReader();
            if (reader.Read() && reader.GetInt64(0) == 0) break; // 0 = not busy: the WAL is folded back
            Thread.Sleep(50);
        }
        return new FileInfo(file).Length;
    }

    [Test]
    public async Task Health_reports_the_store_the_timer_lag_and_the_queue()
    {
        await using var server = await TestServer.StartAsync();
        var health = await server.GetJson("/health");
        Assert.That((string?)health["status"], Is.EqualTo("ready"));
        Assert.That((string?)health["store"], Is.EqualTo("ok"));
        Assert.That(health.AsObject().Select(kv => kv.Key), Is.SupersetOf(new[] { "queue_depth", "timer_lag_ms", "running", "tasks_pruned" }));
    }

    [Test]
    public async Task Metrics_count_tasks_per_process_and_time_the_steps()
    {
        await using var server = await TestServer.StartAsync();
        var (conv, hash) = await server.CreateProcess(Single("set_param", JsonNode.Parse("""{"values":{"a":1}}""")!.AsObject()));
        for (var i = 0; i < 3; i++) await server.WaitFor(await server.CreateTask(conv, hash, []));
        var text = await server.Http.GetStringAsync("/metrics");
        Assert.That(text, Does.Contain($"workflows_tasks_created{{conv_id=\"{conv}\"}} 3"));
        Assert.That(text, Does.Contain($"workflows_tasks_finished{{conv_id=\"{conv}\",result=\"success\"}} 3"));
        Assert.That(text, Does.Contain("workflows_step_duration_ms_count{node_type=\"set_param\"} 3"));
        Assert.That(text, Does.Contain("workflows_timer_lag_ms"));
    }

    /// <summary>
    /// Readers that always hold an old snapshot keep a passive checkpoint from ever resetting the WAL;
    /// past its limit the checkpointer waits them out and truncates it, and /health shows its size.
    /// </summary>
    [Test]
    public async Task The_wal_stays_bounded_while_readers_never_stop_and_health_reports_its_size()
    {
        const long limit = 512 * 1024;
        await using var server = await TestServer.StartAsync(new() { ["Workflows:SqliteWalLimitBytes"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var (conv, _) = await server.CreateProcess(Single("set_param", new JsonObject { ["values"] = new JsonObject { ["seen"] = "1" } }));
        var tasks = server.Get<TaskService>();
        using var stop = new CancellationTokenSource();
        // Two readers whose read transactions overlap, so some snapshot is always open.
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.Folder, "workflows.db")};Pooling=False");
            db.Open();
            while (!stop.IsCancellationRequested)
            {
                using var tx = db.BeginTransaction(deferred: true);
                using (var count = db.CreateCommand()) { count.Transaction = tx; count.CommandText = "SELECT count(*) FROM tasks"; count.ExecuteScalar(); }
                await Task.Delay(150 + r * 70);
                tx.Commit();
            }
        })).ToList();
        long largest = 0;
        for (var round = 0; round < 12; round++)
        {
            var created = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => tasks.CreateAsync(conv, null, new JsonObject { ["i"] = i, ["pad"] = new string('x', 600) })));
            Assert.That(created.All(c => c.Ok), Is.True);
            largest = Math.Max(largest, (long)(await server.GetJson("/health"))["wal_bytes"]!);
        }
        await Task.Delay(1500);
        var health = await server.GetJson("/health");
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        TestContext.Out.WriteLine($"largest WAL seen {largest / 1024} KiB, now {(long)health["wal_bytes"]! / 1024} KiB, {(long)health["wal_truncations"]!} truncations; 6,000 tasks of ~1 KB written");
        Assert.That((long)health["wal_truncations"]!, Is.GreaterThan(0));
        // Without the truncating checkpoint the WAL held every page written (well over 10 MB here).
        Assert.That(largest, Is.LessThan(8 * 1024 * 1024));
    }
}
