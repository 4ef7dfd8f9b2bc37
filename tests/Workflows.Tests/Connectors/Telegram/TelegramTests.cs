using System.Text.Json.Nodes;
using Workflows.Simulators;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.Telegram;

public sealed class TelegramTests
{
    static JsonObject Params(string credential, string chat = "{{chat}}") => new() { ["credential"] = credential, ["chat_id"] = chat, ["text"] = "Lead {{lead_id}}: {{name}}" };
    static JsonObject Data => new() { ["chat"] = "123", ["lead_id"] = 7, ["name"] = "Ivan" };

    [Test]
    public async Task Sends_the_rendered_text()
    {
        var task = await Run("telegram.send_message", Params("demo-telegram"), Data);
        Succeeded(task, "telegram");
        Assert.That(task["data"]!["telegram_message_id"], Is.Not.Null);
        var sent = await SentBy(Sims.Telegram);
        Assert.That(sent.Any(s => (string?)s!["text"] == "Lead 7: Ivan" && (string?)s["chat_id"] == "123"), Is.True);
    }

    [Test]
    public async Task Bad_token_is_a_software_auth_error_without_the_token_in_the_text()
    {
        var task = await Run("telegram.send_message", Params("bad-telegram"), Data);
        FailedWith(task, "telegram", "software", "auth_failed");
        Assert.That(ErrorText(task, "telegram"), Does.Contain("Unauthorized"));
        Assert.That(ErrorText(task, "telegram"), Does.Not.Contain("1:wrong"));
    }

    [Test]
    public async Task Too_many_requests_is_retried_then_sent()
    {
        Sims.Telegram.FailNext = 2;
        var task = await Run("telegram.send_message", Params("demo-telegram"), Data);
        Succeeded(task, "telegram");
    }

    [Test]
    public async Task A_test_task_gets_the_pinned_answer_and_sends_nothing()
    {
        var sentBefore = (await SentBy(Sims.Telegram)).Count;
        var definition = Support.TestProcesses.Definition("telegram test run",
            Support.TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "n" }),
            Support.TestProcesses.Node("n", "telegram.send_message", Params("demo-telegram"), new JsonObject { ["next"] = "ok", ["error"] = "err" }),
            Support.TestProcesses.Final("ok"), Support.TestProcesses.Final("err", "error"));
        var (conv, _) = await TestHost.CreateProcess(definition);
        var body = new JsonObject
        {
            ["data"] = Data,
            ["test"] = JsonNode.Parse("""{"answers": {"n": {"status": 200, "body": {"ok": true, "result": {"message_id": 4242}}}}}"""),
        };
        var created = await TestHost.PostJson($"/api/processes/{conv}/tasks", body.ToJsonString());
        var task = await TestHost.WaitFor((string)created["obj_id"]!);
        Succeeded(task, "telegram");
        Assert.That((int?)task["data"]!["telegram_message_id"], Is.EqualTo(4242));
        Assert.That((await SentBy(Sims.Telegram)).Count, Is.EqualTo(sentBefore), "the simulator got a message from a test task");

        // Without a pinned answer: refused at once, not retried, and still nothing sent.
        var unpinned = await TestHost.PostJson($"/api/processes/{conv}/tasks", new JsonObject { ["data"] = Data, ["test"] = new JsonObject() }.ToJsonString());
        var failed = await TestHost.WaitFor((string)unpinned["obj_id"]!);
        FailedWith(failed, "telegram", "software", "blocked_address");
        Assert.That((await SentBy(Sims.Telegram)).Count, Is.EqualTo(sentBefore));
    }

    [Test]
    public async Task Unknown_chat_is_permanent()
    {
        var task = await Run("telegram.send_message", Params("demo-telegram", TelegramSimulator.MissingChat), Data);
        FailedWith(task, "telegram", "software", "chat_not_found");
        var blocked = await Run("telegram.send_message", Params("demo-telegram", TelegramSimulator.BlockedChat), Data);
        FailedWith(blocked, "telegram", "software", "forbidden");
    }
}
