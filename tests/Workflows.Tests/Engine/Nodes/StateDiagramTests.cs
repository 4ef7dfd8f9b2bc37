using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Nodes;

/// <summary>
/// State diagrams: long-lived tasks kept by ref in set_state nodes, driven by copy task (create, modify),
/// read by any process as {{conv[ID].ref[REF].field}}; kept across a restart.
/// </summary>
public sealed class StateDiagramTests(string store) : OnBothStores(store)
{
    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    static string Users() => """
        {"title":"users","alias":"users","kind":"state","nodes":[
          {"id":"start","type":"start","exits":{"next":"new"}},
          {"id":"new","type":"set_state","params":{"rules":[{"exit":"activate","conditions":[{"param":"status","fun":"eq","const":"active"}]}]},"exits":{"activate":"active"}},
          {"id":"active","type":"set_state","params":{"rules":[{"exit":"block","conditions":[{"param":"status","fun":"eq","const":"blocked"}]}]},"exits":{"block":"blocked"}},
          {"id":"blocked","type":"final","params":{"result":"success"}}]}
        """;

    static string Copy(string title, string mode, string data) => Definition(title,
        Node("start", "start", exits: P("""{"next":"copy"}""")),
        Node("copy", "copy_task", new JsonObject { ["mode"] = mode, ["conv_id"] = "@users", ["ref"] = "{{user_id}}", ["data"] = P(data) }, P("""{"next":"read","error":"failed"}""")),
        Node("read", "set_param", P("""{"values":{"name_now":"{{conv[@users].ref[{{user_id}}].name}}"}}"""), P("""{"next":"done"}""")),
        Final("done"), Final("failed", "error"));

    static string Reader(long users) => Definition("reader",
        Node("start", "start", exits: P("""{"next":"read"}""")),
        Node("read", "set_param", new JsonObject
        {
            ["values"] = new JsonObject
            {
                ["user"] = "{{conv[@users].ref[{{user_id}}]}}",
                ["status"] = $"{{{{conv[{users}].ref[{{{{user_id}}}}].status}}}}",
                ["greeting"] = "Hello, {{conv[@users].ref[{{user_id}}].name}}!",
                ["nobody"] = "{{conv[@users].ref[nobody].status}}",
            },
        }, P("""{"next":"done"}""")),
        Final("done"));

    static async Task<JsonNode> Read(TestServer server, (long Conv, string Hash) reader, string userId) =>
        (await server.WaitFor(await server.CreateTask(reader.Conv, reader.Hash, new JsonObject { ["user_id"] = userId })))["data"]!;

    [Test]
    public async Task Copy_creates_and_modifies_state_tasks_templates_read_them_and_they_live_on_across_a_restart()
    {
        await using var server = new TestServer(new() { ["Workflows:StopGraceMs"] = "300" }, store: Store);
        await server.StartAsync();
        var (users, usersHash) = await server.CreateProcess(Users());
        var signup = await server.CreateProcess(Copy("signup", "create", """{"user_id":"{{user_id}}","name":"{{name}}","status":"new"}"""));
        var update = await server.CreateProcess(Copy("update", "modify", """{"status":"{{status}}"}"""));
        var reader = await server.CreateProcess(Reader(users));

        var created = await server.WaitFor(await server.CreateTask(signup.ConvId, signup.Hash, P("""{"user_id":"u1","name":"Olga"}""")));
        Assert.That((string?)created["node_id"], Is.EqualTo("done"), created.ToJsonString());
        Assert.That((string?)created["data"]!["name_now"], Is.EqualTo("Olga"), "the new state task is readable at once");
        var state = (await server.GetJson($"/api/processes/{users}/tasks?ref=u1")).AsArray().Single()!;
        await server.WaitFor((string)state["obj_id"]!, "waiting");

        var again = await server.WaitFor(await server.CreateTask(signup.ConvId, signup.Hash, P("""{"user_id":"u1","name":"Imposter"}""")));
        Assert.That((string?)again["data"]!["__conveyor_copy_task_return_type_tag__"], Is.EqualTo("not_unical_ref"));

        var read = await Read(server, reader, "u1");
        Assert.That(read["user"]!.ToJsonString(), Is.EqualTo("""{"user_id":"u1","name":"Olga","status":"new"}"""));
        Assert.That(((string?)read["status"], (string?)read["greeting"], (string?)read["nobody"]), Is.EqualTo(("new", "Hello, Olga!", "")), "by conv_id and by alias; an unknown ref reads as an empty string");

        // A modify merges the data and the state's rules move the task: new → active.
        var modified = await server.WaitFor(await server.CreateTask(update.ConvId, update.Hash, P("""{"user_id":"u1","status":"active"}""")));
        Assert.That((string?)modified["node_id"], Is.EqualTo("done"), modified.ToJsonString());
        await WaitUntil(async () => (string?)(await server.Task((string)state["obj_id"]!))["node_id"] == "active");
        var missing = await server.WaitFor(await server.CreateTask(update.ConvId, update.Hash, P("""{"user_id":"u404","status":"active"}""")));
        Assert.That((string?)missing["data"]!["__conveyor_copy_task_return_type_tag__"], Is.EqualTo("not_found_task"));

        await server.RestartAsync();
        var after = await server.Task((string)state["obj_id"]!);
        Assert.That(((string?)after["status"], (string?)after["node_id"]), Is.EqualTo(("waiting", "active")), "the state task lives on");
        Assert.That((string?)(await Read(server, reader, "u1"))["status"], Is.EqualTo("active"));
        // A modify that meets no rule only merges its data; the task stays in its state.
        await server.WaitFor(await server.CreateTask(update.ConvId, update.Hash, P("""{"user_id":"u1","status":"vip"}""")));
        await WaitUntil(async () => (string?)(await Read(server, reader, "u1"))["status"] == "vip");
        Assert.That((string?)(await server.Task((string)state["obj_id"]!))["node_id"], Is.EqualTo("active"));
        await server.WaitFor(await server.CreateTask(update.ConvId, update.Hash, P("""{"user_id":"u1","status":"blocked"}""")));
        Assert.That((string?)(await server.WaitFor((string)state["obj_id"]!))["node_id"], Is.EqualTo("blocked"));
    }

    [Test]
    public async Task A_state_diagram_task_needs_a_ref()
    {
        await using var server = await TestServer.StartAsync(store: Store);
        var (users, hash) = await server.CreateProcess(Users());
        var answer = await server.PostJson($"/api/1/json/public/{users}/{hash}", """{"ops":[{"type":"create","obj":"task","conv_id":0,"data":{"name":"x"}}]}""".Replace("\"conv_id\":0", $"\"conv_id\":{users}"));
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("error"), answer.ToJsonString());
        Assert.That((string?)answer["ops"]![0]!["description"], Does.Contain("state diagram"));
    }

    static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail("the condition did not come true within 10 s");
            await Task.Delay(50);
        }
    }
}
