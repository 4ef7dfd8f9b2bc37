using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Workflows.Tests.Engine.Import;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Runtime;

/// <summary>
/// One stored process that cannot be compiled must not stop the engine: it loads as broken with its
/// reason, keeps its tasks where they are, refuses new ones, and everything else starts and runs.
/// </summary>
[Category(Categories.Slow)]
public sealed class BrokenProcessTests
{
    static string Waiting(string title) => Definition(title,
        Node("start", "start", exits: new JsonObject { ["next"] = "wait" }),
        Node("wait", "wait_callback", new JsonObject { ["timeout_seconds"] = 86400 }, new JsonObject { ["next"] = "done", ["timeout"] = "done" }),
        Final("done"));

    /// <summary>Writes a definition straight into the store, as an older server (or a hand edit) could have.</summary>
    internal static void Plant(TestServer server, long convId, string definition)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(server.Folder, "workflows.db")};Pooling=False");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "UPDATE process_versions SET definition = $d WHERE conv_id = $c AND version = (SELECT version FROM processes WHERE conv_id = $c)";
        command.Parameters.AddWithValue("$d", definition);
        command.Parameters.AddWithValue("$c", convId);
        Assert.That(command.ExecuteNonQuery(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_stored_definition_that_no_longer_compiles_loads_as_broken_and_everything_else_starts()
    {
        await using var server = await TestServer.StartAsync();
        var (good, goodHash) = await server.CreateProcess(Waiting("good"));
        var (bad, badHash) = await server.CreateProcess(Waiting("bad"));
        var (garbled, _) = await server.CreateProcess(Waiting("garbled"));
        var kept = await server.CreateTask(bad, badHash, new JsonObject { ["n"] = 1 }, "kept");
        await server.WaitFor(kept, "waiting");
        var before = await server.Task(kept);
        await server.StopAsync();

        // The two shapes that used to stop the server: one header in two spellings, and text that is not a definition.
        var headers = JsonNode.Parse(Waiting("bad"))!.AsObject();
        headers["nodes"]!.AsArray().Add(Node("call", "api", new JsonObject
        {
            ["url"] = "https://example.com/", ["headers"] = new JsonObject { ["Content-Type"] = "application/json", ["content-type"] = "text/plain" },
        }, new JsonObject { ["next"] = "wait", ["error"] = "done" }));
        headers["nodes"]![0]!["exits"]!["next"] = "call";
        Plant(server, bad, headers.ToJsonString());
        Plant(server, garbled, "{\"title\": \"garbled\", \"nodes\": [");

        await server.StartAsync();
        Assert.That((string?)(await server.GetJson("/health"))["status"], Is.EqualTo("ready"));
        var listed = (await server.GetJson("/api/processes")).AsArray().ToDictionary(p => (long)p!["conv_id"]!);
        Assert.That((string?)listed[good]!["status"], Is.EqualTo("active"));
        Assert.That((string?)listed[bad]!["status"], Is.EqualTo("broken"));
        Assert.That((string?)listed[bad]!["broken"], Does.Contain("content-type").And.Contain("letter case"));
        Assert.That((string?)listed[garbled]!["status"], Is.EqualTo("broken"));
        Assert.That((string?)listed[garbled]!["broken"], Does.Contain("cannot be read"));

        // The others run; the broken one refuses new tasks and wakes with a clear reason, and keeps its task.
        var other = await server.CreateTask(good, goodHash, new JsonObject());
        await server.WaitFor(other, "waiting");
        var refused = await server.PostJson($"/api/1/json/public/{bad}/{badHash}", """{"ops":[{"type":"create","obj":"task","data":{}}]}""");
        Assert.That((string?)refused["ops"]![0]!["proc"], Is.EqualTo("error"), refused.ToJsonString());
        Assert.That((string?)refused["ops"]![0]!["description"], Does.Contain("is broken").And.Contain("letter case"));
        var wake = await server.PostJson($"/api/1/json/public/{bad}/{badHash}", """{"ops":[{"type":"modify","obj":"task","ref":"kept","data":{}}]}""");
        Assert.That((string?)wake["ops"]![0]!["proc"], Is.EqualTo("process_broken"), wake.ToJsonString());
        var after = await server.Task(kept);
        Assert.That(after["data"]!.ToJsonString(), Is.EqualTo(before["data"]!.ToJsonString()));
        Assert.That((string?)after["status"], Is.EqualTo("waiting"));

        // Saving it again mends it: the kept task can be woken and finishes.
        using (var put = await server.Http.PutAsync($"/api/processes/{bad}", new StringContent(Waiting("bad, mended"), Encoding.UTF8, "application/json")))
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        var mended = await server.PostJson($"/api/1/json/public/{bad}/{badHash}", """{"ops":[{"type":"modify","obj":"task","ref":"kept","data":{"ok":true}}]}""");
        Assert.That((string?)mended["ops"]![0]!["proc"], Is.EqualTo("ok"), mended.ToJsonString());
        await server.WaitFor(kept);
    }

    [Test]
    public async Task The_stripe_checkout_export_imports_once_per_header_and_the_server_starts_again()
    {
        var export = CorezoidSamples.Read("stripe-checkout.json");
        await using var server = await TestServer.StartAsync();
        using var response = await server.Http.PostJsonAsync("/api/import/corezoid", export);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
        var process = answer["processes"]![0]!;
        Assert.That(process["issues"]!.AsArray().Select(i => (string?)i!["why"]), Has.Some.Contains("ignore letter case"), process.ToJsonString());

        await server.RestartAsync();
        Assert.That((string?)(await server.GetJson("/health"))["status"], Is.EqualTo("ready"));
        if ((bool)process["created"]!)
        {
            var stored = await server.GetJson($"/api/processes/{(long)process["process"]!["conv_id"]!}");
            Assert.That((string?)stored["status"], Is.Not.EqualTo("broken"), stored.ToJsonString());
            var headers = stored["definition"]!["nodes"]!.AsArray().Select(n => n!["params"]!["headers"]).OfType<JsonObject>().ToList();
            Assert.That(headers, Is.Not.Empty);
            foreach (var h in headers)
                Assert.That(h.Select(kv => kv.Key.ToLowerInvariant()), Is.Unique, h.ToJsonString());
        }
    }

    [TestCase("""{"title":"t","schedules":[null],"nodes":[]}""", "schedules[0]")]
    [TestCase("""{"title":"t","conv_id":9223372036854775807,"nodes":[]}""", "conv_id")]
    [TestCase("""{"title":"t","conv_id":0,"nodes":[]}""", "conv_id")]
    public async Task Definitions_that_used_to_break_a_restart_are_refused_with_a_400(string body, string field)
    {
        await using var server = await TestServer.StartAsync();
        var definition = JsonNode.Parse(body)!.AsObject();
        definition["nodes"] = JsonNode.Parse(Waiting("x"))!["nodes"]!.DeepClone();
        using var response = await server.Http.PostJsonAsync("/api/processes", definition.ToJsonString());
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToJsonString());
        Assert.That(problem["errors"]!.AsArray().Select(e => (string?)e!["field"]), Does.Contain(field), problem.ToJsonString());
        Assert.That((await server.GetJson("/api/processes")).AsArray(), Is.Empty);
        await server.RestartAsync();
        Assert.That((string?)(await server.GetJson("/health"))["status"], Is.EqualTo("ready"));
    }

    [Test]
    public async Task Keys_that_differ_only_in_case_are_two_keys_and_survive_a_restart()
    {
        await using var server = await TestServer.StartAsync();
        var (conv, hash) = await server.CreateProcess(Single("set_param", new JsonObject { ["values"] = new JsonObject { ["x"] = "1", ["X"] = "2" } }));
        var task = await server.WaitFor(await server.CreateTask(conv, hash, new JsonObject()));
        Assert.That((string?)task["data"]!["x"], Is.EqualTo("1"), task.ToJsonString());
        Assert.That((string?)task["data"]!["X"], Is.EqualTo("2"), task.ToJsonString());
        await server.RestartAsync();
        var stored = await server.GetJson($"/api/processes/{conv}");
        Assert.That((string?)stored["status"], Is.EqualTo("active"), stored.ToJsonString());
        Assert.That(stored["definition"]!["nodes"]![1]!["params"]!["values"]!.AsObject().Select(kv => kv.Key), Is.EquivalentTo(new[] { "x", "X" }));
    }

    [Test]
    public async Task A_process_saved_with_the_highest_conv_id_leaves_later_saves_a_free_id()
    {
        await using var server = await TestServer.StartAsync();
        var top = JsonNode.Parse(Waiting("top"))!.AsObject();
        top["conv_id"] = 9007199254740991;
        var (highest, _) = await server.CreateProcess(top.ToJsonString());
        Assert.That(highest, Is.EqualTo(9007199254740991));
        var (next, _) = await server.CreateProcess(Waiting("next"));
        var (after, _) = await server.CreateProcess(Waiting("after"));
        Assert.That(new[] { next, after }, Is.All.InRange(1L, 9007199254740991L));
        Assert.That(new[] { highest, next, after }, Is.Unique);
    }
}
