using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Nodes;

/// <summary>The sum node (Corezoid's api_sum): exact running sums, read in templates, kept across restarts.</summary>
public sealed class SumTests(string store) : OnBothStores(store)
{
    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    static string Shop() => Definition("shop sums",
        Node("start", "start", exits: P("""{"next":"count"}""")),
        Node("count", "sum", P("""{"sums":{"orders":"1","revenue":"{{amount}}"}}"""), P("""{"next":"read","error":"bad"}""")),
        Node("read", "set_param", P("""{"values":{"revenue_now":"{{node[count].revenue}}","text":"total {{node[count].orders}}"}}"""), P("""{"next":"done"}""")),
        Final("done"), Final("bad", "error"));

    static async Task<JsonObject> Sums(TestServer server, long conv) =>
        (await server.GetJson($"/api/processes/{conv}/counters"))["sums"]!["count"]!.AsObject();

    [Test]
    public async Task Sums_add_up_exactly_under_concurrent_tasks_are_read_in_templates_and_survive_a_restart()
    {
        await using var server = new TestServer(new() { ["Workflows:StopGraceMs"] = "300" }, store: Store);
        await server.StartAsync();
        var (conv, hash) = await server.CreateProcess(Shop());

        // 0.1 added ten times is 1.0 in decimal; in binary floating point it would be 0.9999999999999999.
        var tenths = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => server.CreateTask(conv, hash, new JsonObject { ["amount"] = 0.1 })));
        var prices = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => server.CreateTask(conv, hash, new JsonObject { ["amount"] = "19.99" })));
        foreach (var id in tenths.Concat(prices)) Assert.That((string?)(await server.WaitFor(id))["node_id"], Is.EqualTo("done"));
        var sums = await Sums(server, conv);
        Assert.That(((string?)sums["orders"], (string?)sums["revenue"]), Is.EqualTo(("50", "800.60")));

        await server.RestartAsync();
        sums = await Sums(server, conv);
        Assert.That(((string?)sums["orders"], (string?)sums["revenue"]), Is.EqualTo(("50", "800.60")), "kept in the store");
        var task = await server.WaitFor(await server.CreateTask(conv, hash, new JsonObject { ["amount"] = 0.4 }));
        Assert.That(task["data"]!["revenue_now"]!.ToJsonString(), Is.EqualTo("801.00"), "a template reads the sum as a number, with this task's part");
        Assert.That((string?)task["data"]!["text"], Is.EqualTo("total 51"));
    }

    [Test]
    public async Task A_value_that_is_not_a_number_goes_to_the_error_exit_and_adds_nothing()
    {
        await using var server = await TestServer.StartAsync(store: Store);
        var (conv, hash) = await server.CreateProcess(Shop());
        var task = await server.WaitFor(await server.CreateTask(conv, hash, new JsonObject { ["amount"] = "ten" }));
        Assert.That((string?)task["node_id"], Is.EqualTo("bad"));
        Assert.That((string?)task["data"]!["__conveyor_sum_return_type_tag__"], Is.EqualTo("not_a_number"));
        var counters = await server.GetJson($"/api/processes/{conv}/counters");
        Assert.That(counters["sums"]!.AsObject(), Is.Empty, "neither sum moved: a task adds to all of a node's sums or to none");
    }

    [Test]
    public async Task A_sum_name_that_a_template_cannot_read_is_refused_on_save()
    {
        await using var server = await TestServer.StartAsync(store: Store);
        var invalid = await server.PostJson("/api/validate", Definition("bad sum",
            Node("start", "start", exits: P("""{"next":"s"}""")),
            Node("s", "sum", P("""{"sums":{"a b":"1"}}"""), P("""{"next":"done"}""")),
            Node("r", "set_param", P("""{"values":{"x":"{{node[s]}}"}}"""), P("""{"next":"done"}""")),
            Final("done")));
        var messages = invalid["errors"]!.AsArray().Select(e => (string?)e!["message"]).ToList();
        Assert.That(messages, Has.Some.Contains("letters, digits"));
        Assert.That(messages, Has.Some.Contains("node[ID].name"));
    }
}
