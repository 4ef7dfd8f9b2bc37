using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

using Workflows.Tests.Support;

namespace Workflows.Benchmarks;

/// <summary>
/// One engine node, then several, on one PostgreSQL database (issue 12's targets: one node ≥ 5,000
/// durable tasks/s on the peers' workflow at c=64; three nodes together no slower than one). Each
/// node count gets a fresh database, its nodes started as run-nodes.sh starts them, the process made
/// once through node 0 and the load sent through all nodes at once.
/// </summary>
static class Cluster
{
    public static async Task Run(string[] args)
    {
        var connection = new NpgsqlConnectionStringBuilder(Args.Get(args, "connection", ""));
        if (string.IsNullOrEmpty(connection.Host) || string.IsNullOrEmpty(connection.Database) || connection.Database is "postgres" or "template0" or "template1")
            throw new ArgumentException("--connection \"Host=...;Port=...;Database=NAME;Username=...\" is required; the database NAME is dropped and created again for each node count, so not postgres or a template");
        var counts = Args.Get(args, "nodes", "1,3").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        var concurrency = int.Parse(Args.Get(args, "concurrency", "64"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(Args.Get(args, "seconds", "20"), CultureInfo.InvariantCulture);
        var warmup = double.Parse(Args.Get(args, "warmup", "10"), CultureInfo.InvariantCulture);
        var warmupMax = double.Parse(Args.Get(args, "warmup-max", "180"), CultureInfo.InvariantCulture);
        var workflow = Args.Get(args, "workflow", "peers");
        var loader = Args.Get(args, "loader", Load.Default);
        await using var fake = workflow == "six" ? await FakeService.StartAsync() : null;
        var definition = workflow switch
        {
            "peers" => ServeForPeers.Workflow,
            "six" => EndToEnd.SixNodes(fake!.Url("/lead")),
            _ => throw new ArgumentException("--workflow is peers or six"),
        };
        Console.WriteLine($"{Environment.ProcessorCount} cores; PostgreSQL {connection.Host}:{connection.Port}/{connection.Database}; workflow {workflow}; load from {loader}; {seconds:F0} s per node count after a warm-up of {warmup:F0} s and then 10 s rounds until no node compiles more than 100 methods in one (at most {warmupMax:F0} s)");
        Console.WriteLine();
        Console.WriteLine("| nodes | concurrency | accepted tasks/s | completed tasks/s | create p50 | create p99 | nodes' CPU | CPU per task: nodes + PostgreSQL + loader | group commits | errors | warm-up rounds: tasks/s (most methods compiled by a node) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        var completed = new Dictionary<int, (double Accepted, double Completed)>();
        foreach (var count in counts)
        {
            await Recreate(connection);
            var nodes = new List<ServerProcess>();
            try
            {
                // The first node creates the schema; the others start once it is up.
                nodes.Add(await StartNode(connection, 0, args));
                nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, count - 1).Select(i => StartNode(connection, i, args))));
                var (conv, hash) = await nodes[0].CreateProcess(definition);
                var workload = workflow == "peers" ? Workload.Webhook(conv, hash) : Workload.Create(conv, hash);
                var addresses = nodes.Select(n => n.BaseAddress).ToList();
                await EveryNodeKnows(addresses, workload);
                var curve = await WarmUp(loader, nodes, workload, concurrency, warmup, warmupMax);
                await WaitFinished(connection, conv, 0, 0);

                var firstId = EndToEnd.NowId();
                var postmaster = await Postmaster(connection);
                var cpu0 = (Nodes: nodes.Sum(n => n.CpuSeconds()), Database: PostgresCpu(postmaster), Loader: LoaderCpu());
                var writes0 = await Task.WhenAll(nodes.Select(Writes));
                var wall = Stopwatch.StartNew();
                var result = await Load.Run(loader, addresses, workload, concurrency, seconds);
                var loadTime = wall.Elapsed.TotalSeconds;
                await WaitFinished(connection, conv, firstId, result.Created);
                var doneTime = wall.Elapsed.TotalSeconds;
                var cpuNodes = nodes.Sum(n => n.CpuSeconds()) - cpu0.Nodes;
                var cpu = cpuNodes / doneTime * 100;
                // CPU per task, where it went: on a machine with cores to spare this, not the shared cores' throughput, says what coordination costs.
                string PerTask(double seconds) => $"{seconds * 1000 / Math.Max(1, result.Created):F3}";
                var perTask = $"{PerTask(cpuNodes)} + {(postmaster == 0 ? "?" : PerTask(PostgresCpu(postmaster) - cpu0.Database))} + {PerTask(LoaderCpu() - cpu0.Loader)} ms";
                // Group commits: smaller ones when the load is split among nodes, each with its fence and counters.
                var writes = (await Task.WhenAll(nodes.Select(Writes))).Zip(writes0, (a, b) => (Batches: a.Batches - b.Batches, Rows: a.Rows - b.Rows)).ToList();
                var commits = $"{writes.Sum(w => w.Batches) / doneTime:F0}/s of {writes.Sum(w => w.Rows) / Math.Max(1.0, writes.Sum(w => w.Batches)):F1} tasks";
                completed[count] = (result.Created / loadTime, result.Created / doneTime);
                Console.WriteLine($"| {count} | {concurrency} | {result.Created / loadTime:F0} | {result.Created / doneTime:F0} | {result.P50:F2} ms | {result.P99:F2} ms | {cpu:F0} % | {perTask} | {commits} | {result.Errors} | {curve} |");
            }
            finally
            {
                foreach (var node in nodes) { node.Stop(); await node.DisposeAsync(); }
            }
        }
        if (completed.TryGetValue(1, out var one))
        {
            Console.WriteLine();
            foreach (var (count, figures) in completed.Where(c => c.Key != 1))
                Console.WriteLine($"{count} nodes / 1 node: accepted {figures.Accepted / one.Accepted:F2}, completed {figures.Completed / one.Completed:F2}");
        }
    }

    /// <summary>
    /// Loads the nodes until they run at their steady pace: each node compiles its hot methods again
    /// with profile-guided optimisation, about ten thousand of them, and on two shared cores three
    /// nodes took over a minute to finish (one node half a minute), their rate flat meanwhile; a fixed
    /// short warm-up measured the JIT, not the engine. Rounds of 10 s go on until no node compiled more
    /// than a hundred methods in one (/health's jit_compiled_methods). Returns the rounds' rates.
    /// </summary>
    static async Task<string> WarmUp(string loader, List<ServerProcess> nodes, Workload workload, int concurrency, double first, double max)
    {
        var addresses = nodes.Select(n => n.BaseAddress).ToList();
        await Load.Run(loader, addresses, workload, concurrency, first); // JIT, pools, PostgreSQL caches
        const double round = 10;
        var rates = new List<string>();
        var compiled = await Task.WhenAll(nodes.Select(Compiled));
        for (var spent = first; spent + round <= max; spent += round)
        {
            var result = await Load.Run(loader, addresses, workload, concurrency, round);
            var now = await Task.WhenAll(nodes.Select(Compiled));
            var most = now.Zip(compiled, (a, b) => a - b).Max();
            compiled = now;
            rates.Add($"{result.Created / round:N0} ({most:N0} methods)");
            if (most <= 100) break;
        }
        return string.Join(" → ", rates);
    }

    /// <summary>PostgreSQL's postmaster when the server runs on this machine (its CPU is then read from /proc), else 0.</summary>
    static async Task<int> Postmaster(NpgsqlConnectionStringBuilder connection)
    {
        if (connection.Host is not ("127.0.0.1" or "localhost" or "::1") || !OperatingSystem.IsLinux()) return 0;
        await using var db = new NpgsqlConnection(connection.ConnectionString);
        await db.OpenAsync();
        var parent = ProcCpu.Parent(db.ProcessID);
        return parent > 1 && File.Exists($"/proc/{parent}/comm") && File.ReadAllText($"/proc/{parent}/comm").Trim() == "postgres" ? parent : 0;
    }

    static double PostgresCpu(int postmaster) => postmaster == 0 ? 0 : ProcCpu.TreeSeconds(postmaster);

    /// <summary>The bench's own CPU and its ended children's: wrk's runs (the nodes, its other children, still run).</summary>
    static double LoaderCpu() => ProcCpu.Seconds(Environment.ProcessId) + ProcCpu.Seconds(Environment.ProcessId, reaped: true);

    static async Task<long> Compiled(ServerProcess node) => (long)(await Health(node))["jit_compiled_methods"]!;

    static async Task<(long Batches, long Rows)> Writes(ServerProcess node)
    {
        var health = await Health(node);
        return ((long)health["batches"]!, (long)health["rows"]!);
    }

    static async Task<JsonNode> Health(ServerProcess node) => (await node.Http.GetFromJsonAsync<JsonNode>("/health"))!;

    static Task<ServerProcess> StartNode(NpgsqlConnectionStringBuilder connection, int index, string[] args) =>
        ServerMeasures.Start(ServerProcess.FreePort(), null, ["--Workflows:Store", "postgres", "--Workflows:ConnectionString", connection.ConnectionString,
            "--Workflows:NodeName", $"node{index}", .. Args.Settings(args)]);

    static async Task Recreate(NpgsqlConnectionStringBuilder connection)
    {
        NpgsqlConnection.ClearAllPools();
        var name = "\"" + connection.Database!.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync();
        foreach (var sql in new[] { $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", $"CREATE DATABASE {name}" })
        {
            await using var command = new NpgsqlCommand(sql, admin);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A process saved on one node takes effect on the others within a second: one good request through each.</summary>
    static async Task EveryNodeKnows(List<Uri> nodes, Workload workload)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var until = DateTime.UtcNow.AddSeconds(30);
        for (var i = 0; i < nodes.Count; i++)
            while (await Load.Send(http, nodes[i], workload, $"known-{i}-{Stopwatch.GetTimestamp()}") is not null)
            {
                if (DateTime.UtcNow > until) throw new TimeoutException($"node{i} does not take tasks of the process after 30 s");
                await Task.Delay(50);
            }
    }

    /// <summary>Waits until no task of the process is unfinished and at least <paramref name="accepted"/> created since <paramref name="firstId"/> are finished, counted in the database itself.</summary>
    static async Task WaitFinished(NpgsqlConnectionStringBuilder connection, long conv, long firstId, long accepted)
    {
        await using var db = new NpgsqlConnection(connection.ConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM tasks WHERE conv_id = @conv AND status <> 'finished'),
                   (SELECT count(*) FROM tasks WHERE conv_id = @conv AND id >= @first AND status = 'finished')
            """, db);
        command.Parameters.AddWithValue("conv", conv);
        command.Parameters.AddWithValue("first", firstId);
        var until = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            await using (var reader = await command.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                if (reader.GetInt64(0) == 0 && reader.GetInt64(1) >= accepted) return;
            }
            if (DateTime.UtcNow > until) throw new TimeoutException($"tasks did not finish within 5 minutes; unfinished (node, status, owner: count): {await Unfinished(db, conv)}");
            await Task.Delay(100);
        }
    }

    static async Task<string> Unfinished(NpgsqlConnection db, long conv)
    {
        await using var command = new NpgsqlCommand("SELECT node_id, status, owner, count(*) FROM tasks WHERE conv_id = @conv AND status <> 'finished' GROUP BY 1, 2, 3", db);
        command.Parameters.AddWithValue("conv", conv);
        await using var reader = await command.ExecuteReaderAsync();
        var groups = new List<string>();
        while (await reader.ReadAsync()) groups.Add($"{reader.GetString(0)}, {reader.GetString(1)}, {reader.GetInt64(2)}: {reader.GetInt64(3)}");
        return string.Join("; ", groups);
    }
}
