using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Nodes;

/// <summary>Queue and get from queue (Corezoid's api_queue, api_get_task): durable, exactly once, across restarts.</summary>
public sealed class QueueTests(string store) : OnBothStores(store)
{
    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    static string Orders(JsonObject? timeLimit = null)
    {
        var queue = Node("q", "queue", P("""{"data":{"source":"shop {{n}}"}}"""), P("""{"next":"after","timeout":"expired"}"""));
        if (timeLimit is not null) queue["time_limit"] = timeLimit;
        else queue["exits"]!.AsObject().Remove("timeout");
        return Definition("orders queue",
            Node("start", "start", exits: P("""{"next":"q"}""")),
            queue,
            Node("after", "set_param", P("""{"values":{"left_queue":true}}"""), P("""{"next":"done"}""")),
            Final("done"), Final("expired", "error"));
    }

    static string Worker(long queueConv, string order) => Definition($"worker {order}",
        Node("start", "start", exits: P("""{"next":"take"}""")),
        Node("take", "get_from_queue", new JsonObject { ["conv_id"] = queueConv.ToString(System.Globalization.CultureInfo.InvariantCulture), ["node_id"] = "q", ["order_by"] = order }, P("""{"next":"got","error":"empty"}""")),
        Final("got"), Final("empty", "error"));

    static async Task<string> Queued(TestServer server, long conv, string hash, int n)
    {
        var id = await server.CreateTask(conv, hash, new JsonObject { ["n"] = n });
        await server.WaitFor(id, "waiting");
        return id;
    }

    [Test]
    public async Task A_worker_takes_the_oldest_or_newest_task_with_its_data_and_the_queue_survives_a_restart()
    {
        await using var server = new TestServer(new() { ["Workflows:StopGraceMs"] = "300" }, store: Store);
        await server.StartAsync();
        var (orders, ordersHash) = await server.CreateProcess(Orders());
        var (oldest, oldestHash) = await server.CreateProcess(Worker(orders, "ASC"));
        var (newest, newestHash) = await server.CreateProcess(Worker(orders, "DESC"));
        var queued = new List<string>();
        for (var n = 1; n <= 3; n++) queued.Add(await Queued(server, orders, ordersHash, n));

        var first = await server.WaitFor(await server.CreateTask(oldest, oldestHash, []));
        Assert.That((string?)first["node_id"], Is.EqualTo("got"), first.ToJsonString());
        Assert.That((string?)first["data"]!["__queue_task_id__"], Is.EqualTo(queued[0]));
        Assert.That(first["data"]!["__queue_task_data__"]!.ToJsonString(), Is.EqualTo("""{"n":1,"source":"shop 1"}"""));
        var taken = await server.WaitFor(queued[0]);
        Assert.That(((string?)taken["node_id"], (bool?)taken["data"]!["left_queue"]), Is.EqualTo(("done", (bool?)true)), "the taken task went on by next");

        var last = await server.WaitFor(await server.CreateTask(newest, newestHash, []));
        Assert.That((string?)last["data"]!["__queue_task_id__"], Is.EqualTo(queued[2]), "DESC takes the newest");

        await server.RestartAsync();
        var middle = await server.WaitFor(await server.CreateTask(oldest, oldestHash, []));
        Assert.That(middle["data"]!["__queue_task_data__"]!["n"]!.ToJsonString(), Is.EqualTo("2"), "the queue is kept across the restart");
        Assert.That((string?)(await server.WaitFor(queued[1]))["node_id"], Is.EqualTo("done"));

        var none = await server.WaitFor(await server.CreateTask(oldest, oldestHash, []));
        Assert.That((string?)none["node_id"], Is.EqualTo("empty"));
        Assert.That((string?)none["data"]!["__conveyor_get_task_return_type_tag__"], Is.EqualTo("queue_is_empty"));
    }

    [Test]
    public async Task Concurrent_workers_take_every_queued_task_exactly_once()
    {
        await using var server = await TestServer.StartAsync(store: Store);
        var (orders, ordersHash) = await server.CreateProcess(Orders());
        var (worker, workerHash) = await server.CreateProcess(Worker(orders, "ASC"));
        var queued = await Task.WhenAll(Enumerable.Range(1, 30).Select(n => server.CreateTask(orders, ordersHash, new JsonObject { ["n"] = n })));
        foreach (var id in queued) await server.WaitFor(id, "waiting");

        var workers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => server.CreateTask(worker, workerHash, [])));
        var results = await Task.WhenAll(workers.Select(id => server.WaitFor(id)));
        var got = results.Where(r => (string?)r["node_id"] == "got").Select(r => (string)r["data"]!["__queue_task_id__"]!).ToList();
        Assert.That(got, Is.Unique);
        Assert.That(got, Is.EquivalentTo(queued), "each queued task went to exactly one worker");
        Assert.That(results.Count(r => (string?)r["node_id"] == "empty"), Is.EqualTo(10));
        foreach (var id in queued) Assert.That((string?)(await server.WaitFor(id))["node_id"], Is.EqualTo("done"));
        var counters = await server.GetJson($"/api/processes/{orders}/counters");
        Assert.That((long?)counters["nodes"]!["q"]!["now"], Is.EqualTo(0));
    }

    [Test]
    public async Task A_task_nobody_takes_leaves_by_the_queue_nodes_time_limit_and_a_bad_target_is_an_error()
    {
        await using var server = await TestServer.StartAsync(store: Store);
        var (orders, ordersHash) = await server.CreateProcess(Orders(P("""{"seconds":1}""")));
        var id = await server.CreateTask(orders, ordersHash, new JsonObject { ["n"] = 1 });
        var expired = await server.WaitFor(id);
        Assert.That((string?)expired["node_id"], Is.EqualTo("expired"));

        var (worker, workerHash) = await server.CreateProcess(Definition("worker of nothing",
            Node("start", "start", exits: P("""{"next":"take"}""")),
            Node("take", "get_from_queue", new JsonObject { ["conv_id"] = orders.ToString(System.Globalization.CultureInfo.InvariantCulture), ["node_id"] = "after" }, P("""{"next":"got","error":"empty"}""")),
            Final("got"), Final("empty", "error")));
        var wrong = await server.WaitFor(await server.CreateTask(worker, workerHash, []));
        Assert.That((string?)wrong["data"]!["__conveyor_get_task_return_type_tag__"], Is.EqualTo("not_a_queue"));
    }
}
