using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Cluster;

/// <summary>
/// Three server processes on one PostgreSQL database, as the README starts them: none is special, any
/// of them takes any request, and a SIGKILLed one's work is taken over (lease 6 s here).
/// </summary>
[NonParallelizable]
[Category(Categories.Cluster)]
public sealed class ClusterTests
{
    string _database = null!;
    string _folder = null!;
    readonly List<ServerProcess> _nodes = [];

    [OneTimeSetUp]
    public async Task Start()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        _folder = Path.Combine(Path.GetTempPath(), "workflows-tests", Guid.NewGuid().ToString("n"));
        // The first node creates Quartz's tables; the other two start together.
        _nodes.Add(await StartNode(0));
#pragma warning disable CA2000 // the nodes are kept in _nodes and disposed in Stop
        _nodes.AddRange(await Task.WhenAll(StartNode(1), StartNode(2)));
#pragma warning restore CA2000
    }

    Task<ServerProcess> StartNode(int index) => ServerProcess.StartAsync(Path.Combine(_folder, $"node{index}"), 0,
        "--Workflows:Store", "postgres", "--Workflows:ConnectionString", _database, "--Workflows:NodeLeaseSeconds", "6",
        "--Workflows:NodeName", $"node{index}",
        // Scripts are not what these tests are about: a generous limit keeps a busy machine from failing code nodes.
        "--Workflows:ScriptTimeoutMs", "20000");

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }

    static async Task<(long Conv, string Hash)> CreateProcess(ServerProcess node, string definition)
    {
        using var content = new StringContent(definition, Encoding.UTF8, "application/json");
        using var response = await node.Http.PostAsync("/api/processes", content);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.IsSuccessStatusCode, Is.True, body.ToJsonString());
        return ((long)body["conv_id"]!, (string)body["hash"]!);
    }

    static async Task<JsonNode> Op(ServerProcess node, long conv, string hash, string op)
    {
        using var content = new StringContent($$"""{"ops":[{{op}}]}""", Encoding.UTF8, "application/json");
        using var response = await node.Http.PostAsync($"/api/1/json/public/{conv}/{hash}", content);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        // A request refused as a whole (say, for a process this node does not know) has no ops.
        return answer["ops"] is JsonArray { Count: > 0 } ops ? ops[0]! : answer;
    }

    static async Task<JsonNode> WaitFinished(ServerProcess node, string objId, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var task = (await node.Http.GetFromJsonAsync<JsonNode>($"/api/tasks/{objId}"))!;
            if ((string?)task["status"] == "finished") return task;
            if (DateTime.UtcNow > until) Assert.Fail($"task {objId} did not finish in {seconds} s: {task.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    static string WaitingForCallback(string title) => Definition(title,
        Node("start", "start", exits: JsonNode.Parse("""{"next":"wait"}""")!.AsObject()),
        Node("wait", "wait_callback", exits: JsonNode.Parse("""{"next":"done","timeout":"done"}""")!.AsObject()),
        Final("done"));

    [Test, Order(1)]
    public async Task A_process_saved_on_one_node_runs_on_the_others_within_a_second()
    {
        var (conv, hash) = await CreateProcess(_nodes[0], Definition("saved on node 0",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"code"}""")!.AsObject()),
            Node("code", "code", JsonNode.Parse("""{"src":"data.twice = data.n * 2;"}""")!.AsObject(), JsonNode.Parse("""{"next":"done","error":"done"}""")!.AsObject()),
            Final("done")));
        var saved = DateTime.UtcNow;
        foreach (var node in _nodes.Skip(1))
        {
            JsonNode answer;
            while ((string?)(answer = await Op(node, conv, hash, """{"type":"create","obj":"task","data":{"n":21}}"""))["proc"] != "ok")
            {
                Assert.That(DateTime.UtcNow - saved, Is.LessThan(TimeSpan.FromSeconds(1)), $"the process is not known on another node after a second: {answer.ToJsonString()}");
                await Task.Delay(20);
            }
            var task = await WaitFinished(node, (string)answer["obj_id"]!);
            Assert.That((int?)task["data"]!["twice"], Is.EqualTo(42));
        }

        // Paused on node 1: node 2 refuses new tasks within a second.
        using (var paused = await _nodes[1].Http.PostAsync($"/api/processes/{conv}/pause", null)) Assert.That(paused.IsSuccessStatusCode, Is.True);
        var pausedAt = DateTime.UtcNow;
        while ((string?)(await Op(_nodes[2], conv, hash, """{"type":"create","obj":"task","data":{"n":1}}"""))["proc"] == "ok")
        {
            Assert.That(DateTime.UtcNow - pausedAt, Is.LessThan(TimeSpan.FromSeconds(1)), "a process paused on one node still takes tasks on another after a second");
            await Task.Delay(20);
        }
    }

    [Test, Order(2)]
    public async Task Counters_and_the_live_view_show_the_tasks_of_every_node()
    {
        var (conv, hash) = await CreateProcess(_nodes[0], WaitingForCallback("counted everywhere"));
        await Task.Delay(1000); // every node knows the process
        foreach (var (node, count) in new[] { (_nodes[1], 2), (_nodes[2], 3) })
            for (var i = 0; i < count; i++)
                Assert.That((string?)(await Op(node, conv, hash, """{"type":"create","obj":"task","data":{}}"""))["proc"], Is.EqualTo("ok"));

        // Node 0 moved none of them, yet its counters and live view show all five waiting.
        var until = DateTime.UtcNow.AddSeconds(5);
        JsonNode counters;
        while ((long?)(counters = (await _nodes[0].Http.GetFromJsonAsync<JsonNode>($"/api/processes/{conv}/counters"))!)["nodes"]!["wait"]!["now"] != 5)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(until), $"node 0 does not count the other nodes' tasks: {counters.ToJsonString()}");
            await Task.Delay(100);
        }
        Assert.That((long?)counters["nodes"]!["start"]!["entered"], Is.EqualTo(5), counters.ToJsonString());
        Assert.That((long?)counters["nodes"]!["start"]!["left"], Is.EqualTo(5), counters.ToJsonString());

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var live = await _nodes[0].Http.GetStreamAsync($"/api/processes/{conv}/live", cancel.Token);
        using var reader = new StreamReader(live);
        string? line;
        while ((line = await reader.ReadLineAsync(cancel.Token)) is not null && !line.StartsWith("data: ", StringComparison.Ordinal)) { }
        var pushed = JsonNode.Parse(line!["data: ".Length..])!;
        Assert.That((long?)pushed["nodes"]!["wait"]!["now"], Is.EqualTo(5), pushed.ToJsonString());
    }

    [Test, Order(2)]
    public async Task Each_node_adds_to_counter_rows_of_its_own_and_the_counters_show_their_sum()
    {
        var (conv, hash) = await CreateProcess(_nodes[0], Definition("counted per engine node",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"count"}""")!.AsObject()),
            Node("count", "sum", JsonNode.Parse("""{"sums":{"amount":"{{amount}}"}}""")!.AsObject(), JsonNode.Parse("""{"next":"wait","error":"wait"}""")!.AsObject()),
            Node("wait", "wait_callback", exits: JsonNode.Parse("""{"next":"done","timeout":"done"}""")!.AsObject()),
            Final("done")));
        await Task.Delay(1000); // every node knows the process
        foreach (var (node, count) in new[] { (_nodes[1], 2), (_nodes[2], 3) })
            for (var i = 0; i < count; i++)
                Assert.That((string?)(await Op(node, conv, hash, """{"type":"create","obj":"task","data":{"amount":"1.25"}}"""))["proc"], Is.EqualTo("ok"));

        // Node 0 shows the five, counted and summed by the two others.
        var until = DateTime.UtcNow.AddSeconds(10);
        JsonNode counters;
        while ((long?)(counters = (await _nodes[0].Http.GetFromJsonAsync<JsonNode>($"/api/processes/{conv}/counters"))!)["nodes"]!["wait"]!["entered"] != 5
               || (string?)counters["sums"]?["count"]?["amount"] != "6.25")
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(until), $"node 0 does not show the sum of the other nodes' counters: {counters.ToJsonString()}");
            await Task.Delay(100);
        }
        Assert.That((long?)counters["nodes"]!["start"]!["entered"], Is.EqualTo(5), counters.ToJsonString());

        // In the store each of the two wrote rows of its own: no row was added to by both.
        var ids = new List<long>();
        foreach (var node in _nodes) ids.Add((long)(await node.Http.GetFromJsonAsync<JsonNode>("/health"))!["node"]!["id"]!);
        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        async Task<List<(long Owner, string Value)>> Rows(string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = conv });
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<(long, string)>();
            while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetValue(1).ToString()!));
            return rows;
        }
        // (Nodes 1 and 2 started together: either may have the lower id.)
        Assert.That(await Rows("SELECT owner, entered FROM node_stats WHERE conv_id = $1 AND node_id = 'start'"),
            Is.EquivalentTo(new[] { (ids[1], "2"), (ids[2], "3") }), $"nodes {string.Join(", ", ids)}");
        Assert.That(await Rows("SELECT owner, entered FROM node_stats WHERE conv_id = $1 AND node_id = 'wait'"),
            Is.EquivalentTo(new[] { (ids[1], "2"), (ids[2], "3") }));
        Assert.That(await Rows("SELECT owner, value::text FROM node_sums WHERE conv_id = $1 AND node_id = 'count'"),
            Is.EquivalentTo(new[] { (ids[1], "2.50"), (ids[2], "3.75") }));
    }

    [Test, Order(2)]
    public async Task The_same_ref_sent_to_two_nodes_at_once_wins_once()
    {
        var (conv, hash) = await CreateProcess(_nodes[0], WaitingForCallback("one ref"));
        await Task.Delay(1000); // every node knows the process
        for (var round = 0; round < 10; round++)
        {
            var op = $$$"""{"type":"create","obj":"task","ref":"order-{{{round}}}","data":{}}""";
            var answers = await Task.WhenAll(Op(_nodes[1], conv, hash, op), Op(_nodes[2], conv, hash, op));
            var seen = string.Join(" | ", answers.Select(a => a.ToJsonString()));
            Assert.That(answers.Count(a => (string?)a["proc"] == "ok"), Is.EqualTo(1), seen);
            var refused = answers.Single(a => (string?)a["proc"] != "ok");
            Assert.That((string?)refused["description"], Does.Contain($"ref 'order-{round}' is already used by active task"), seen);
        }
    }

    [Test, Order(3)]
    public async Task A_callback_sent_to_a_node_that_does_not_own_the_task_resumes_it()
    {
        var (conv, hash) = await CreateProcess(_nodes[0], WaitingForCallback("callback anywhere"));
        await Task.Delay(1000);
        var created = await Op(_nodes[1], conv, hash, """{"type":"create","obj":"task","ref":"call-7","data":{}}""");
        Assert.That((string?)created["proc"], Is.EqualTo("ok"), created.ToJsonString());
        var objId = (string)created["obj_id"]!;
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((string?)(await _nodes[1].Http.GetFromJsonAsync<JsonNode>($"/api/tasks/{objId}"))!["status"] != "waiting")
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(until));
            await Task.Delay(20);
        }
        var modified = await Op(_nodes[2], conv, hash, """{"type":"modify","obj":"task","ref":"call-7","data":{"answer":"yes"}}""");
        Assert.That((string?)modified["proc"], Is.EqualTo("ok"), modified.ToJsonString());
        var task = await WaitFinished(_nodes[0], objId);
        Assert.That((string?)task["node_id"], Is.EqualTo("done"));
        Assert.That((string?)task["data"]!["answer"], Is.EqualTo("yes"));
    }

    [Test, Order(5)]
    public async Task Tasks_queued_on_one_node_are_each_taken_once_by_takers_on_the_others()
    {
        var (queueConv, queueHash) = await CreateProcess(_nodes[0], Definition("queue across nodes",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"queue"}""")!.AsObject()),
            Node("queue", "queue", exits: JsonNode.Parse("""{"next":"done"}""")!.AsObject()),
            Final("done")));
        var (takerConv, takerHash) = await CreateProcess(_nodes[0], Definition("taker across nodes",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"take"}""")!.AsObject()),
            Node("take", "get_from_queue", JsonNode.Parse($$"""{"conv_id":"{{queueConv}}","node_id":"queue"}""")!.AsObject(),
                JsonNode.Parse("""{"next":"done","error":"empty"}""")!.AsObject()),
            Final("done"), Final("empty", "error")));
        await Task.Delay(1000); // every node knows both processes
        const int Queued = 20;
        var queued = new List<string>();
        for (var i = 0; i < Queued; i++)
        {
            var created = await Op(_nodes[1], queueConv, queueHash, $$$"""{"type":"create","obj":"task","data":{"n":{{{i}}}}}""");
            Assert.That((string?)created["proc"], Is.EqualTo("ok"), created.ToJsonString());
            queued.Add((string)created["obj_id"]!);
        }
        foreach (var objId in queued)
            for (var until = DateTime.UtcNow.AddSeconds(10); (string?)(await _nodes[1].Http.GetFromJsonAsync<JsonNode>($"/api/tasks/{objId}"))!["status"] != "waiting";)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(until));
                await Task.Delay(20);
            }

        // Takers on the two other nodes at once, more of them than there are queued tasks.
        var takers = await Task.WhenAll(Enumerable.Range(0, Queued + 6).Select(i =>
            Op(_nodes[i % 2 == 0 ? 0 : 2], takerConv, takerHash, """{"type":"create","obj":"task","data":{}}""")));
        var ended = await Task.WhenAll(takers.Select(t => WaitFinished(_nodes[0], (string)t["obj_id"]!)));
        var taken = ended.Where(t => (string?)t["node_id"] == "done").Select(t => (string)t["data"]!["__queue_task_id__"]!).ToList();
        Assert.That(taken, Is.Unique, "a queued task was handed to two takers");
        Assert.That(taken, Is.EquivalentTo(queued), "every queued task is taken exactly once");
        Assert.That(ended.Count(t => (string?)t["node_id"] == "empty"), Is.EqualTo(6));
        foreach (var objId in queued) await WaitFinished(_nodes[2], objId);
    }

    [Test, Order(4)]
    public async Task A_cron_schedule_fires_once_per_period_with_three_nodes()
    {
        var definition = JsonNode.Parse(Definition("every second",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"done"}""")!.AsObject()), Final("done")))!.AsObject();
        definition["schedules"] = new JsonArray(new JsonObject { ["cron"] = "* * * * * ?", ["data"] = new JsonObject() });
        var (conv, _) = await CreateProcess(_nodes[0], definition.ToJsonString());
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(8000);
        var tasks = (await _nodes[2].Http.GetFromJsonAsync<JsonNode>($"/api/processes/{conv}/tasks?limit=100"))!.AsArray();
        var periods = tasks.Select(t => (long)t!["data"]!["scheduled_at"]!).ToList();
        Assert.That(periods, Is.Unique, "a period fired on more than one node");
        Assert.That(periods, Has.Count.InRange(3, (int)watch.Elapsed.TotalSeconds + 1), "one task per second");
    }

    [Test, Order(10)]
    public async Task Load_through_three_nodes_with_one_sigkilled_ends_every_acknowledged_task_exactly_once()
    {
        var (conv, hash) = await CreateProcess(_nodes[0], Definition("load",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"code"}""")!.AsObject()),
            Node("code", "code", JsonNode.Parse("""{"src":"data.n = data.i * 2;"}""")!.AsObject(), JsonNode.Parse("""{"next":"delay","error":"failed"}""")!.AsObject()),
            // Timers due while the killed node is gone: the node that takes its tasks fires them.
            Node("delay", "delay", JsonNode.Parse("""{"seconds":2}""")!.AsObject(), JsonNode.Parse("""{"next":"done"}""")!.AsObject()),
            Final("done"), Final("failed", "error")));
        await Task.Delay(1000);

        var acknowledged = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 9).Select(w => Task.Run(async () =>
        {
            var node = _nodes[w % 3];
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var answer = await Op(node, conv, hash, $$$"""{"type":"create","obj":"task","ref":"w{{{w}}}-{{{i}}}","data":{"i":{{{i}}}}}""");
                    if ((string?)answer["proc"] == "ok") acknowledged.Add((string)answer["obj_id"]!);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or NullReferenceException) { }
            }
        })).ToList();
        var killed = (long)(await _nodes[1].Http.GetFromJsonAsync<JsonNode>("/health"))!["node"]!["id"]!;
        while (acknowledged.Count < 300) await Task.Delay(10);
        _nodes[1].Kill();
        while (acknowledged.Count < 600) await Task.Delay(10);
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        var survivor = _nodes[2];
        foreach (var id in acknowledged)
        {
            var task = await WaitFinished(survivor, id, seconds: 60);
            Assert.That((string?)task["node_id"], Is.EqualTo("done"), task.ToJsonString());
            Assert.That((int?)task["data"]!["n"], Is.EqualTo((int)task["data"]!["i"]! * 2));
            var history = task["history"]!.AsArray();
            Assert.That(history.Count(s => (string?)s!["outcome"] == "finish"), Is.EqualTo(1), $"task {id} ran its final more than once: {history.ToJsonString()}");
            Assert.That(history.Count(s => (string?)s!["outcome"] == "timer"), Is.EqualTo(1), $"task {id}'s timer fired other than once: {history.ToJsonString()}");
        }
        var health = (await survivor.Http.GetFromJsonAsync<JsonNode>("/health"))!;
        Assert.That(health["node"]!["live_nodes"]!.AsArray(), Has.Count.EqualTo(2), health.ToJsonString());

        // The killed node's counter rows were added to its taker's (no rows left of a node that is gone),
        // and the finals still count every acknowledged task (a rerun after the takeover may count one twice).
        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var rows = new Npgsql.NpgsqlCommand("SELECT count(*) FILTER (WHERE owner = $1), coalesce(sum(entered) FILTER (WHERE node_id = 'done'), 0)::bigint FROM node_stats WHERE conv_id = $2", connection);
        rows.Parameters.Add(new Npgsql.NpgsqlParameter { Value = killed });
        rows.Parameters.Add(new Npgsql.NpgsqlParameter { Value = conv });
        await using var reader = await rows.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.That(reader.GetInt64(0), Is.Zero, $"rows of the killed node {killed} are left");
        Assert.That(reader.GetInt64(1), Is.GreaterThanOrEqualTo(acknowledged.Count));
        await reader.DisposeAsync();

        // Its row in nodes went with the takeover: the table holds the live nodes only.
        await using var nodes = new Npgsql.NpgsqlCommand("SELECT array_agg(id ORDER BY id) FROM nodes", connection);
        var left = (long[])(await nodes.ExecuteScalarAsync())!;
        Assert.That(left, Does.Not.Contain(killed).And.EquivalentTo(health["node"]!["live_nodes"]!.AsArray().Select(n => (long)n!)));
    }

    [Test, Order(11)]
    public async Task A_node_frozen_past_its_lease_is_taken_over_and_stops_when_it_wakes_without_committing()
    {
        var (conv, hash) = await CreateProcess(_nodes[0], Definition("frozen owner",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"delay"}""")!.AsObject()),
            Node("delay", "delay", JsonNode.Parse("""{"seconds":2}""")!.AsObject(), JsonNode.Parse("""{"next":"done"}""")!.AsObject()),
            Final("done")));
        await Task.Delay(1000);
        var frozen = _nodes[2];
        var frozenId = (long)(await frozen.Http.GetFromJsonAsync<JsonNode>("/health"))!["node"]!["id"]!;
        var created = await Op(frozen, conv, hash, """{"type":"create","obj":"task","ref":"frozen-1","data":{}}""");
        Assert.That((string?)created["proc"], Is.EqualTo("ok"), created.ToJsonString());
        var objId = (string)created["obj_id"]!;

        // Frozen with its task waiting: past the lease (6 s) node 0 takes the task over and fires its timer.
        frozen.Pause();
        JsonNode task;
        try { task = await WaitFinished(_nodes[0], objId, seconds: 30); }
        finally { frozen.Resume(); }
        Assert.That(frozen.ExitsWithin(TimeSpan.FromSeconds(30)), "the node that woke to find its row gone stops itself");

        var history = task["history"]!.AsArray();
        Assert.That(history.Count(s => (string?)s!["outcome"] == "timer"), Is.EqualTo(1), history.ToJsonString());
        Assert.That(history.Count(s => (string?)s!["outcome"] == "finish"), Is.EqualTo(1), history.ToJsonString());
        var after = (await _nodes[0].Http.GetFromJsonAsync<JsonNode>($"/api/tasks/{objId}"))!;
        Assert.That(after["history"]!.AsArray(), Has.Count.EqualTo(history.Count), "the woken node committed nothing over the taker");

        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var nodes = new Npgsql.NpgsqlCommand("SELECT array_agg(id) FROM nodes", connection);
        Assert.That((long[])(await nodes.ExecuteScalarAsync())!, Does.Not.Contain(frozenId));
    }
}
