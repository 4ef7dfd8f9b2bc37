using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

using Workflows.Tests.Support;

namespace Workflows.Benchmarks;

/// <summary>
/// Tasks created through the public API by a load generator (wrk, or this process) at several
/// concurrencies, through start → code → condition → set parameters → API call → final.
/// </summary>
static class EndToEnd
{
    public static string SixNodes(string apiUrl) => $$$"""
        {"title":"bench: six nodes","nodes":[
          {"id":"start","type":"start","exits":{"next":"code"}},
          {"id":"code","type":"code","params":{"src":"var p = String(data.phone).replace(/\\D/g, ''); if (p.charAt(0) === '8') { p = '7' + p.substring(1); } if (p.length === 10 && p.charAt(0) === '9') { p = '7' + p; } data.phone = p;"},"exits":{"next":"check","error":"done"}},
          {"id":"check","type":"condition","params":{"rules":[{"exit":"too_long","js":"data.phone.length > 11"}]},"exits":{"too_long":"done","default":"status"}},
          {"id":"status","type":"set_param","params":{"values":{"status":"ok","at":"$.unixtime()"}},"exits":{"next":"notify"}},
          {"id":"notify","type":"api","params":{"method":"POST","url":"{{{apiUrl}}}","body":{"phone":"{{phone}}"},"response_key":"crm"},"exits":{"next":"done","error":"done"}},
          {"id":"done","type":"final","params":{"result":"success"}}
        ]}
        """;

    public static async Task Run(string[] args)
    {
        var levels = Args.Get(args, "levels", "1,8,64").Split(',').Select(int.Parse).ToArray();
        var seconds = double.Parse(Args.Get(args, "seconds", "20"), System.Globalization.CultureInfo.InvariantCulture);
        // Long enough for tiered JIT to reach its optimised code: the first seconds run at a third of the speed.
        var warmup = double.Parse(Args.Get(args, "warmup", "20"), System.Globalization.CultureInfo.InvariantCulture);
        await using var fake = await FakeService.StartAsync();
        var fakeUrl = fake.Url("/lead");
        await using var server = await ServerMeasures.Start(5097, null, Args.Settings(args));
        var (conv, hash) = await server.CreateProcess(SixNodes(fakeUrl));
        var workload = Workload.Create(conv, hash);
        // wrk (C) costs the shared cores far less per request than HttpClient does; the .NET loader
        // stays for machines without wrk.
        var loader = Args.Get(args, "loader", Load.Default);
        Task<LoadResult> load(int c, double s) => Load.Run(loader, [server.BaseAddress], workload, c, s);
        Console.WriteLine($"server ready after {server.ReadyAfter.TotalSeconds:F2} s; {Environment.ProcessorCount} cores; fake API at {fakeUrl}; load from {loader}");
        Console.WriteLine();
        Console.WriteLine("| concurrency | accepted tasks/s | completed tasks/s | create p50 | create p99 | to final p99 | server CPU | writer busy | server peak RSS | errors |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        await load(8, warmup); // warm-up: JIT, pools, SQLite caches
        await WaitDone(server, conv);
        foreach (var c in levels)
        {
            var before = (long)(await server.Counters(conv))["nodes"]!["done"]!["now"]!;
            var firstId = NowId();
            server.ResetPeak();
            var cpu0 = server.CpuSeconds();
            var busy0 = await WriterBusy(server);
            var wall = Stopwatch.StartNew();
            var result = await load(c, seconds);
            var loadTime = wall.Elapsed.TotalSeconds;
            var created = result.Created;
            await WaitDone(server, conv, before + created);
            var doneTime = wall.Elapsed.TotalSeconds;
            var cpu = (server.CpuSeconds() - cpu0) / doneTime * 100;
            var busy = (await WriterBusy(server) - busy0) / doneTime * 100;
            var toFinal = ReadTimesToFinal(server.Folder, firstId);
            toFinal.Sort();
            Console.WriteLine($"| {c} | {created / loadTime:F0} | {created / doneTime:F0} | {result.P50:F2} ms | {result.P99:F2} ms | {Stats.Percentile(toFinal, 99):F0} ms | {cpu:F0} % | {busy:F0} % | {server.PeakMiB():F0} MiB | {result.Errors} |");
        }
    }

    static async Task<double> WriterBusy(ServerProcess server) =>
        (double)(await server.Http.GetFromJsonAsync<JsonNode>("/health"))!["writer_busy_seconds"]!;

    /// <summary>The smallest task id the engine can make from now on (see IdGenerator: ms, slot, counter).</summary>
    internal static long NowId() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 18;

    static async Task WaitDone(ServerProcess server, long conv, long? target = null)
    {
        var until = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < until)
        {
            var nodes = (await server.Counters(conv))["nodes"]!.AsObject();
            var inFlight = nodes.Where(n => n.Key != "done").Sum(n => (long)n.Value!["now"]!);
            var done = (long)nodes["done"]!["now"]!;
            if (inFlight == 0 && (target is null || done >= target)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("tasks did not finish within 5 minutes");
    }

    static List<double> ReadTimesToFinal(string folder, long firstId)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(folder, "workflows.db")};Mode=ReadOnly");
        db.Open();
        using var command = db.CreateCommand();
        // Only tasks that went the whole way count: an API call that failed would make the run look faster.
        command.CommandText = "SELECT changed_at - created_at FROM tasks WHERE id >= @first AND status = 'finished' AND data NOT LIKE '%__conveyor_%'";
        command.Parameters.AddWithValue("@first", firstId);
        using var reader = command.ExecuteReader();
        var list = new List<double>();
        while (reader.Read()) list.Add(reader.GetInt64(0));
        return list;
    }
}
