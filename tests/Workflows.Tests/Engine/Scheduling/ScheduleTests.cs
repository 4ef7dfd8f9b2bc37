using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Scheduling;

/// <summary>Cron schedules (Quartz, persisted in the engine's database) start tasks once per period.</summary>
[Category(Categories.Slow)]
public sealed class ScheduleTests(string store) : OnBothStores(store)
{
    static string Scheduled(string cron, string? zone = "Europe/Moscow")
    {
        var definition = JsonNode.Parse(Definition("Monday collection",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"done"}""")!.AsObject()),
            Final("done")))!.AsObject();
        var schedule = new JsonObject { ["cron"] = cron, ["data"] = new JsonObject { ["kind"] = "weekly" } };
        if (zone is not null) schedule["time_zone"] = zone;
        definition["schedules"] = new JsonArray(schedule);
        return definition.ToJsonString();
    }

    [Test]
    public async Task A_cron_schedule_fires_once_per_period_with_its_data()
    {
        await using var server = await TestServer.StartAsync(store: Store);
        var (conv, _) = await server.CreateProcess(Scheduled("* * * * * ?"));
        await Task.Delay(4500);
        var tasks = (await server.GetJson($"/api/processes/{conv}/tasks")).AsArray();
        Assert.That(tasks, Has.Count.InRange(2, 6));
        Assert.That(tasks.Select(t => (string?)t!["data"]!["kind"]), Is.All.EqualTo("weekly"));
        var seconds = tasks.Select(t => (long)t!["data"]!["scheduled_at"]!).ToList();
        Assert.That(seconds, Is.Unique, "one task per period");

        // Removing the schedule stops it.
        using (await server.Http.PutJsonAsync($"/api/processes/{conv}", Definition("no schedule",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"done"}""")!.AsObject()), Final("done")))) { }
        await Task.Delay(300);
        var count = (await server.GetJson($"/api/processes/{conv}/tasks")).AsArray().Count;
        await Task.Delay(1500);
        Assert.That((await server.GetJson($"/api/processes/{conv}/tasks")).AsArray(), Has.Count.EqualTo(count));
    }

    [TestCase("every monday", "schedules")]
    [TestCase("0 0 9 ? * MON", "schedules")]
    public async Task Bad_crons_and_zones_are_validation_errors(string cron, string field)
    {
        await using var server = await TestServer.StartAsync(store: Store);
        var definition = cron == "every monday" ? Scheduled(cron) : Scheduled(cron, "Mars/Olympus");
        using var response = await server.Http.PostJsonAsync("/api/processes", definition);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(problem["errors"]!.AsArray().Select(e => (string?)e!["field"]), Has.Some.StartsWith(field));
    }
}
