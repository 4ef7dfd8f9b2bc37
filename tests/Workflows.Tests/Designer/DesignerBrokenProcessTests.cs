using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Workflows.Tests.Engine.Runtime;
using static Microsoft.Playwright.Assertions;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Designer;

/// <summary>A stored process that cannot be compiled is shown as broken, with its reason, in the list and in the editor.</summary>
public sealed class DesignerBrokenProcessTests : BrowserFixture
{
    [Test]
    public async Task A_broken_process_is_shown_as_broken_with_its_reason()
    {
        var definition = Definition("header twice",
            Node("start", "start", exits: P("""{"next":"call"}""")),
            Node("call", "api", P("""{"url":"https://example.com/","headers":{"X-Shop":"a"}}"""), P("""{"next":"done","error":"done"}""")),
            Final("done"));
        var (conv, _) = await Server.CreateProcess(definition);
        // Planted while stopped, as an older server could have stored it: one header in two spellings.
        await Server.StopAsync();
        var planted = JsonNode.Parse(definition)!.AsObject();
        planted["nodes"]![1]!["params"]!["headers"] = P("""{"Content-Type":"application/json","content-type":"text/plain"}""");
        BrokenProcessTests.Plant(Server, conv, planted.ToJsonString());
        await Server.StartAsync();
        // The restarted server may listen elsewhere and hold other cookie keys: sign in again there.
        var signIn = await Page.Context.APIRequest.PostAsync(new Uri(Server.BaseAddress, "/api/auth/login").ToString(),
            new() { DataObject = new { login = "admin", password = Workflows.Tests.Support.TestServer.AdminPassword } });
        Assert.That(signIn.Ok, Is.True, await signIn.TextAsync());

        await Page.GotoAsync(new Uri(Server.BaseAddress, "/").ToString());
        var row = Page.Locator("tr", new() { HasText = "header twice" });
        await Expect(row.Locator(".status")).ToHaveTextAsync("broken");
        await Expect(row.Locator(".broken-reason")).ToContainTextAsync("letter case");

        await Page.GotoAsync(new Uri(Server.BaseAddress, $"/processes/{conv}").ToString());
        await Expect(Page.Locator(".proc-title .status")).ToHaveTextAsync("broken");
        await Tab("Process").ClickAsync();
        await Expect(Page.Locator(".broken-reason")).ToContainTextAsync("This process is broken");
        await Expect(Page.Locator(".broken-reason")).ToContainTextAsync("letter case");
    }
}
