using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Store;

/// <summary>SIGKILL the server in the middle of a load: every acknowledged task survives and ends exactly once.</summary>
[Category(Categories.Slow)]
public sealed class CrashTests
{
    [Test]
    public async Task Every_acknowledged_task_survives_a_sigkill_and_reaches_its_final_once()
    {
        await using var fake = await FakeService.StartAsync();
        var folder = Path.Combine(Path.GetTempPath(), "workflows-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var definition = Definition("crash",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"code"}""")!.AsObject()),
            Node("code", "code", JsonNode.Parse("""{"src":"data.n = data.i * 2;"}""")!.AsObject(), JsonNode.Parse("""{"next":"call","error":"failed"}""")!.AsObject()),
            Node("call", "api", new JsonObject { ["method"] = "GET", ["url"] = fake.Url("/order/{{i}}"), ["response_key"] = "order" }, JsonNode.Parse("""{"next":"done","error":"failed"}""")!.AsObject()),
            Final("done"), Final("failed", "error"));

        var acknowledged = new ConcurrentBag<string>();
        long conv;
        string hash;
        await using (var first = await ServerProcess.StartAsync(folder))
        {
            using var created = await first.Http.PostJsonAsync("/api/processes", definition);
            var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            (conv, hash) = ((long)body["conv_id"]!, (string)body["hash"]!);

            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        using var response = await first.Http.PostAsync($"/api/1/json/public/{conv}/{hash}",
                            new StringContent($$$"""{"ops":[{"type":"create","obj":"task","ref":"w{{{w}}}-{{{i}}}","data":{"i":{{{i}}}}}]}""", Encoding.UTF8, "application/json"));
                        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                        if ((string?)answer["ops"]?[0]?["proc"] == "ok") acknowledged.Add((string)answer["ops"]![0]!["obj_id"]!);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException) { }
                }
            })).ToList();
            while (acknowledged.Count < 300) await Task.Delay(10);
            first.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        Assert.That(acknowledged, Has.Count.GreaterThanOrEqualTo(300));
        await using var second = await ServerProcess.StartAsync(folder);
        var until = DateTime.UtcNow.AddSeconds(60);
        foreach (var id in acknowledged)
        {
            JsonNode task;
            while (true)
            {
                using var response = await second.Http.GetAsync($"/api/tasks/{id}");
                Assert.That(response.IsSuccessStatusCode, Is.True, $"acknowledged task {id} is missing after the crash");
                task = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                if ((string?)task["status"] == "finished" || DateTime.UtcNow > until) break;
                await Task.Delay(20);
            }
            Assert.That((string?)task["node_id"], Is.EqualTo("done"), task.ToJsonString());
            Assert.That((int?)task["data"]!["n"], Is.EqualTo((int)task["data"]!["i"]! * 2));
            var finishes = task["history"]!.AsArray().Count(s => (string?)s!["outcome"] == "finish");
            Assert.That(finishes, Is.EqualTo(1), $"task {id} ran its final {finishes} times");
        }
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    /// <summary>
    /// SIGKILL while workers take tasks from a queue: after the restart every order that left the queue
    /// was received by exactly one worker, and no worker received an order that is still queued.
    /// </summary>
    [Test]
    public async Task Taking_from_a_queue_is_exactly_once_across_a_sigkill()
    {
        var folder = Path.Combine(Path.GetTempPath(), "workflows-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var orders = Definition("orders",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"q"}""")!.AsObject()),
            Node("q", "queue", new JsonObject(), JsonNode.Parse("""{"next":"done"}""")!.AsObject()),
            Final("done"));
        const int queued = 200;
        long ordersConv, workerConv;
        string workerHash;
        await using (var first = await ServerProcess.StartAsync(folder))
        {
            ordersConv = (long)(await Post(first, "/api/processes", orders))["conv_id"]!;
            var worker = await Post(first, "/api/processes", Definition("worker",
                Node("start", "start", exits: JsonNode.Parse("""{"next":"take"}""")!.AsObject()),
                Node("take", "get_from_queue", new JsonObject { ["conv_id"] = ordersConv.ToString(System.Globalization.CultureInfo.InvariantCulture), ["node_id"] = "q" }, JsonNode.Parse("""{"next":"got","error":"empty"}""")!.AsObject()),
                Final("got"), Final("empty", "error")));
            (workerConv, workerHash) = ((long)worker["conv_id"]!, (string)worker["hash"]!);
            for (var i = 0; i < queued; i++) await Post(first, $"/api/processes/{ordersConv}/tasks", $$$"""{"data":{"i":{{{i}}}}}""");
            while ((await Tasks(first, ordersConv, "waiting")).Count < queued) await Task.Delay(50);

            var taken = 0;
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var body = new StringContent("""{"ops":[{"type":"create","obj":"task","data":{}}]}""", Encoding.UTF8, "application/json");
                        using var response = await first.Http.PostAsync($"/api/1/json/public/{workerConv}/{workerHash}", body);
                        if (response.IsSuccessStatusCode) Interlocked.Increment(ref taken);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                }
            })).ToList();
            while (Volatile.Read(ref taken) < 80) await Task.Delay(5);
            first.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        await using var second = await ServerProcess.StartAsync(folder);
        var until = DateTime.UtcNow.AddSeconds(60);
        List<JsonNode> finishedWorkers, allWorkers, allOrders;
        while (true)
        {
            allWorkers = await Tasks(second, workerConv, null);
            allOrders = await Tasks(second, ordersConv, null);
            finishedWorkers = allWorkers.Where(t => (string?)t["status"] == "finished").ToList();
            var moving = allWorkers.Count(t => (string?)t["status"] != "finished") + allOrders.Count(t => (string?)t["status"] == "processing");
            if (moving == 0 || DateTime.UtcNow > until) break;
            await Task.Delay(50);
        }
        var received = finishedWorkers.Where(t => (string?)t["node_id"] == "got").Select(t => (string)t["data"]!["__queue_task_id__"]!).ToList();
        var left = allOrders.Where(t => (string?)t["node_id"] == "done").Select(t => (string)t["obj_id"]!).ToList();
        var stillQueued = allOrders.Where(t => (string?)t["node_id"] == "q" && (string?)t["status"] == "waiting").Select(t => (string)t["obj_id"]!).ToList();
        Assert.That(allWorkers.All(t => (string?)t["status"] == "finished"), Is.True, "every worker task ended after the restart");
        Assert.That(received, Has.Count.GreaterThanOrEqualTo(80));
        Assert.That(received, Is.Unique, "no order was received twice");
        Assert.That(received, Is.EquivalentTo(left), "an order left the queue exactly when a worker received it");
        Assert.That(left.Count + stillQueued.Count, Is.EqualTo(queued), "no order was lost");
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    static async Task<JsonNode> Post(ServerProcess server, string url, string json)
    {
        using var response = await server.Http.PostJsonAsync(url, json);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.IsSuccessStatusCode, Is.True, body.ToJsonString());
        return body;
    }

    static async Task<List<JsonNode>> Tasks(ServerProcess server, long conv, string? status)
    {
        var list = JsonNode.Parse(await server.Http.GetStringAsync($"/api/processes/{conv}/tasks?limit=1000{(status is null ? "" : "&status=" + status)}"))!.AsArray();
        return [.. list.Select(t => t!)];
    }
}
