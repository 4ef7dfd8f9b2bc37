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
    public async Task Unknown_chat_is_permanent()
    {
        var task = await Run("telegram.send_message", Params("demo-telegram", TelegramSimulator.MissingChat), Data);
        FailedWith(task, "telegram", "software", "chat_not_found");
        var blocked = await Run("telegram.send_message", Params("demo-telegram", TelegramSimulator.BlockedChat), Data);
        FailedWith(blocked, "telegram", "software", "forbidden");
    }
}
