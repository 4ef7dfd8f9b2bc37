using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Microsoft.Playwright.Assertions;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Designer;

/// <summary>A code node in modern JavaScript with a Corezoid library: saved, run, and shown in the editor without lint errors.</summary>
public sealed class DesignerModernCodeTests : BrowserFixture
{
    // The first moment-timezone conversion unpacks the zone data inside the script's run; on a loaded
    // machine that passed the 1 s limit once. This test checks what is shown, not how fast.
    protected override Dictionary<string, string?> ServerSettings => new() { ["Workflows:ScriptTimeoutMs"] = "10000" };

    const string Src = """
        require("libs/moment-timezone.js");
        const { price = 0, items = [] } = data;
        let total = items.map((x) => x.qty ?? 1).reduce((a, b) => a + b, price);
        class Stamp { constructor(at) { this.at = at; } get moscow() { return moment.tz(this.at, 'UTC').tz('Europe/Moscow').format('YYYY-MM-DD HH:mm'); } }
        data.total = `${total} items`;
        data.city = data.address?.city ?? 'unknown';
        data.moscow = new Stamp(data.at).moscow;
        """;

    [Test]
    public async Task A_modern_code_node_with_moment_timezone_saves_runs_and_shows_without_lint_errors()
    {
        var (conv, hash) = await Server.CreateProcess(Single("code", new JsonObject { ["src"] = Src }));
        var task = await Server.WaitFor(await Server.CreateTask(conv, hash, new JsonObject
        {
            ["price"] = 10,
            ["items"] = new JsonArray(new JsonObject { ["qty"] = 2 }, new JsonObject()),
            ["at"] = "2026-12-03 10:00",
        }));
        Assert.That((string?)task["node_id"], Is.EqualTo("ok"), task.ToJsonString());
        var data = task["data"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)data["total"], Is.EqualTo("13 items"));
            Assert.That((string?)data["city"], Is.EqualTo("unknown"));
            Assert.That((string?)data["moscow"], Is.EqualTo("2026-12-03 13:00"), "UTC+3");
        });

        await Page.GotoAsync($"/processes/{conv}");
        await NodeOnCanvas("n").Locator(".wf-node-body").ClickAsync();
        await Expect(Page.Locator(".side .node-type")).ToHaveTextAsync("Code");
        var editor = Page.Locator(".side .cm-editor");
        // CodeMirror renders a div per line: the text content is the lines run together.
        await Expect(editor.Locator(".cm-content")).ToHaveTextAsync(Src.Replace("\n", "", StringComparison.Ordinal));
        // The lint runs a moment after the editor opens; modern syntax gives it nothing to flag.
        await Page.WaitForTimeoutAsync(1500);
        await Expect(editor.Locator(".cm-lintRange-error")).ToHaveCountAsync(0);
        await Expect(editor.Locator(".cm-lint-marker-error")).ToHaveCountAsync(0);

        // The lint is live: a line that does not parse is flagged.
        await editor.Locator(".cm-content").ClickAsync();
        await Page.Keyboard.PressAsync("ControlOrMeta+End");
        await Page.Keyboard.InsertTextAsync("\nconst = ;");
        await Expect(editor.Locator(".cm-lint-marker-error")).Not.ToHaveCountAsync(0);
    }
}
