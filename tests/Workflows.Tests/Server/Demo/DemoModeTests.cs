using System.Text.Json.Nodes;
using Workflows.Tests.Support;

namespace Workflows.Tests.Server.Demo;

public sealed class DemoModeTests
{
    [Test]
    public async Task Demo_mode_starts_the_simulators_and_stores_demo_credentials()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Workflows:Demo"] = "true",
            ["Workflows:Connectors:RetryBaseDelayMs"] = "5",
        });
        var names = (await server.GetJson("/api/credentials")).AsArray().Select(c => (string?)c!["name"]).ToList();
        Assert.That(names, Is.SupersetOf(new[] { "demo-bitrix24", "demo-voximplant", "demo-telegram", "demo-sms", "demo-smtp", "demo-retailcrm", "demo-moysklad" }));
        var (conv, hash) = await server.CreateProcess(TestProcesses.Single("telegram.send_message", new JsonObject { ["credential"] = "demo-telegram", ["chat_id"] = "1", ["text"] = "demo" }));
        var task = await server.WaitFor(await server.CreateTask(conv, hash, []));
        Assert.That((string?)task["result"], Is.EqualTo("success"), task.ToJsonString());
        Assert.That(Directory.Exists(Path.Combine(server.Folder, "keys")), Is.True);
    }
}
