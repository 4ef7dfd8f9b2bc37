using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Designer;

/// <summary>Refusals in sentences, template hints that match the engine, and export and duplicate from the editor.</summary>
public sealed class DesignerWordsTests : BrowserFixture
{
    [Test]
    public async Task A_paused_process_refusing_a_test_task_is_said_in_a_sentence_not_json()
    {
        var (conv, _) = await Server.CreateProcess(StartToFinal("paused words"));
        await Server.PostJson($"/api/processes/{conv}/pause", "{}");
        await OpenEditor(conv);
        await Tab("Public API").ClickAsync();
        await Page.Locator(".side button", new() { HasText = "Send" }).ClickAsync();
        var alert = Page.Locator(".side .alert.error");
        await Expect(alert).ToContainTextAsync("The task was not created");
        await Expect(alert).ToContainTextAsync("is paused");
        await Expect(alert).ToContainTextAsync("Resume the process");
        await Expect(alert).Not.ToContainTextAsync("{");
    }

    [Test]
    public async Task The_template_hint_lists_the_engine_s_functions_as_they_are_written()
    {
        var (conv, _) = await Server.CreateProcess(Definition("hint",
            Node("start", "start", exits: P("""{"next":"call"}""")),
            Node("call", "api", P("""{"url":"https://example.com/"}"""), P("""{"next":"done","error":"done"}""")),
            Final("done")));
        await OpenEditor(conv);
        await NodeOnCanvas("call").Locator(".wf-node-body").ClickAsync();
        var hint = Page.GetByTestId("template-hint").First;
        await Expect(hint).ToContainTextAsync("$.unixtime()");
        await Expect(hint).ToContainTextAsync("$.md5_hex(…)");
        await Expect(hint).Not.ToContainTextAsync("{{$.");
    }

    [Test]
    public async Task The_editor_exports_the_process_and_duplicates_it()
    {
        var (conv, _) = await Server.CreateProcess(StartToFinal("to copy"));
        await OpenEditor(conv);
        var download = await Page.RunAndWaitForDownloadAsync(() => ToolbarButtonOrLink("Export").ClickAsync());
        Assert.That(download.SuggestedFilename, Is.EqualTo($"process-{conv}.json"));
        var file = await download.PathAsync();
        var exported = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(file!))!;
        Assert.That((string?)exported["title"], Is.EqualTo("to copy"));

        await ToolbarButton("Duplicate").ClickAsync();
        await Expect(Page.Locator(".proc-title b")).ToHaveTextAsync("to copy (copy)");
        var copy = long.Parse(new Uri(Page.Url).Segments.Last(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(copy, Is.Not.EqualTo(conv));
        var process = await Process(copy);
        Assert.That(process["definition"]!["nodes"]!.AsArray().Select(n => (string?)n!["id"]), Is.EquivalentTo(new[] { "start", "done" }));
    }

    ILocator ToolbarButtonOrLink(string label) => Page.Locator(".toolbar a", new() { HasText = label });
}
