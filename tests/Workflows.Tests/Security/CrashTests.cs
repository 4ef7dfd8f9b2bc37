using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.Processes;

namespace Workflows.Tests.Security;

/// <summary>SIGKILL the server in the middle of a load: every acknowledged task survives and ends exactly once.</summary>
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
}
