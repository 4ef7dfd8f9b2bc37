using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Workflows.Tests.Support;

namespace Workflows.Benchmarks;

/// <summary>
/// Many tasks parked in a delay node: the server's memory and database size with them, the restart
/// time until ready, and how late they wake when they all come due together.
/// </summary>
static class Sleepers
{
    public static async Task Run(string[] args)
    {
        var count = int.Parse(Args.Get(args, "tasks", "1000000"), System.Globalization.CultureInfo.InvariantCulture);
        var folder = Path.Combine(Path.GetTempPath(), "workflows-bench", Guid.NewGuid().ToString("n"));
        await using var server = await ServerMeasures.Start(5096, folder);
        const string sleeper = """
            {"title":"bench: sleepers","nodes":[
              {"id":"start","type":"start","exits":{"next":"sleep"}},
              {"id":"sleep","type":"delay","params":{"until":"{{wake_at}}"},"exits":{"next":"done"}},
              {"id":"done","type":"final"}]}
            """;
        var (conv, hash) = await server.CreateProcess(sleeper);
        // All wake at one moment, far enough ahead to park them all and restart first.
        // A whole second: the delay takes unix seconds, so the bench's own clock must start at the same moment.
        var wakeAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(Math.Max(90, count / 10000.0 + 60)).ToUnixTimeSeconds());
        var watch = Stopwatch.StartNew();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64 };
        using var http = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        await Park(http, conv, hash, count, wakeAt);
        Console.WriteLine($"parked {count} tasks in {watch.Elapsed.TotalSeconds:F1} s ({count / watch.Elapsed.TotalSeconds:F0}/s), due at {wakeAt.ToUnixTimeSeconds()} (unix seconds)");
        // --warm-wave N: N tasks of another process due before the wave, in five smaller waves 4 s apart
        // (24 s to 8 s before it), so the server that meets the wave has woken tasks for a while (its wake
        // path compiled and optimised), as a server that has been running would have. One warm wave of
        // 5,000 left methods half-way through tiering (instrumented, not yet optimised), and the JIT still
        // compiled about 1,100 methods during the wave. Without it the wave meets code the restarted process never ran.
        var warmWave = int.Parse(Args.Get(args, "warm-wave", "0"), System.Globalization.CultureInfo.InvariantCulture);
        long warmConv = 0;
        if (warmWave > 0)
        {
            (warmConv, var warmHash) = await server.CreateProcess(sleeper.Replace("bench: sleepers", "bench: sleepers (warm wave)", StringComparison.Ordinal));
            for (var i = 0; i < 5; i++) await Park(http, warmConv, warmHash, warmWave / 5, wakeAt.AddSeconds(-24 + 4 * i));
            Console.WriteLine($"and {warmWave} tasks of another process due in five waves 24 to 8 s before them");
        }
        var rss = server.RssMiB();
        var peak = server.PeakMiB();
        var dbSize = new DirectoryInfo(folder).GetFiles("workflows.db*").Sum(f => f.Length) / 1048576.0;

        // --down-at-due: the server is stopped as the timers fall due (1 s after) and started again, and
        // lateness counts from when it is ready again; otherwise it restarts with them parked and runs on.
        var downAtDue = args.Contains("--down-at-due");
        server.Stop();
        var restarted = await ServerMeasures.Start(5096, folder);
        try
        {
            var ready = restarted.ReadyAfter;
            var rssAfterRestart = restarted.RssMiB();
            long readyAt = 0;
            if (downAtDue)
            {
                var untilDown = wakeAt.AddSeconds(1) - DateTimeOffset.UtcNow;
                if (untilDown > TimeSpan.Zero) await Task.Delay(untilDown);
                restarted.Stop();
                await restarted.DisposeAsync();
                restarted = await ServerMeasures.Start(5096, folder);
                ready = restarted.ReadyAfter;
                readyAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            }

            // The warm waves are watched as the wave will be (counters every 100 ms, /health): the bench's
            // own requests would otherwise be compiled by the JIT in the middle of the wave.
            while (warmWave > 0 && wakeAt - DateTimeOffset.UtcNow > TimeSpan.FromSeconds(2))
            {
                await restarted.Counters(warmConv);
                await restarted.Http.GetFromJsonAsync<JsonNode>("/health");
                await Task.Delay(100);
            }
            var untilDue = wakeAt - DateTimeOffset.UtcNow;
            if (untilDue > TimeSpan.Zero) await Task.Delay(untilDue);
            var dueWatch = Stopwatch.StartNew();
            var healthBefore = await restarted.Http.GetFromJsonAsync<JsonNode>("/health");
            var cpuBefore = restarted.CpuSeconds();
            double firstLate = -1;
            while (true)
            {
                var nodes = (await restarted.Counters(conv))["nodes"]!;
                var done = (long)nodes["done"]!["now"]!;
                if (done > 0 && firstLate < 0) firstLate = dueWatch.Elapsed.TotalSeconds;
                if (done >= count) break;
                await Task.Delay(100);
            }
            var allLate = dueWatch.Elapsed.TotalSeconds;
            if (Environment.GetEnvironmentVariable("SLEEPERS_HOLD") is { } hold) await Task.Delay(TimeSpan.FromSeconds(int.Parse(hold, System.Globalization.CultureInfo.InvariantCulture)));
            var cpu = restarted.CpuSeconds() - cpuBefore;
            var healthAfter = await restarted.Http.GetFromJsonAsync<JsonNode>("/health");
            double Delta(string key) => (double)healthAfter![key]! - (double)healthBefore![key]!;
            // Each task's lateness: when its wake ran (the final step's time) minus when it was due, or
            // minus when the server was ready again if that was later.
            var dueMs = wakeAt.ToUnixTimeSeconds() * 1000;
            var late = new List<double>(count);
            using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "workflows.db")};Mode=ReadOnly"))
            {
                db.Open();
                using var command = db.CreateCommand();
                command.CommandText = "SELECT changed_at FROM tasks WHERE conv_id = $c AND status = 'finished'";
                command.Parameters.AddWithValue("$c", conv);
                using var reader = command.ExecuteReader();
                while (reader.Read()) late.Add((reader.GetInt64(0) - Math.Max(dueMs, readyAt)) / 1000.0);
            }
            late.Sort();
            Console.WriteLine(downAtDue ? "stopped 1 s after the timers fell due; lateness counts from ready again" : "running when the timers fall due; lateness counts from the due time");
            Console.WriteLine("| tasks parked | server RSS with them | peak RSS while parking | database size | restart until ready | RSS after restart | first wake late by | all woken and finished after | lateness p50 | p99 | max |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine($"wave: {Delta("batches"):F0} commits of {Delta("rows") / Math.Max(1, Delta("batches")):F0} rows on average, writer busy {Delta("writer_busy_seconds"):F1} s, server CPU {cpu:F1} s over {allLate:F1} s, {Delta("jit_compiled_methods"):F0} methods compiled by the JIT; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine($"| {count} | {rss:F0} MiB | {peak:F0} MiB | {dbSize:F0} MiB | {ready.TotalSeconds:F2} s | {rssAfterRestart:F0} MiB | {firstLate:F2} s | {allLate:F1} s | {Stats.Percentile(late, 50):F2} s | {Stats.Percentile(late, 99):F2} s | {late[^1]:F2} s |");
        }
        finally
        {
            await restarted.DisposeAsync();
            // About 100 MB per 100,000 tasks: kept only with SLEEPERS_KEEP set (to look at the database after).
            if (Environment.GetEnvironmentVariable("SLEEPERS_KEEP") is null)
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Creates <paramref name="count"/> tasks due at <paramref name="wakeAt"/>, a hundred ops a request, 64 requests at once.</summary>
    static async Task Park(HttpClient http, long conv, string hash, int count, DateTimeOffset wakeAt)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var batch = Interlocked.Add(ref next, 100) - 99;
                if (batch >= count) return;
                var ops = new JsonArray();
                for (var i = batch; i < Math.Min(batch + 100, count); i++)
                    ops.Add(new JsonObject { ["type"] = "create", ["obj"] = "task", ["data"] = new JsonObject { ["i"] = i, ["wake_at"] = wakeAt.ToUnixTimeSeconds() } });
                using var response = await http.PostAsync($"/api/1/json/public/{conv}/{hash}", new StringContent(new JsonObject { ["ops"] = ops }.ToJsonString()));
                response.EnsureSuccessStatusCode();
            }
        })));
    }
}
