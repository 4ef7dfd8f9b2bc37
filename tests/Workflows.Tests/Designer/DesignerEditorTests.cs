using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Workflows.Tests.Designer;

/// <summary>Building a process in the browser: new process, drag and drop, connections, code, validation, save.</summary>
public sealed class DesignerEditorTests : BrowserFixture
{
    const string FixedSrc = "data.total = (data.price || 0) * 2;";

    [Test]
    public async Task A_process_is_built_by_drag_and_drop_validated_and_saved()
    {
        // The processes page: "New process" asks a title and opens the editor on the new process.
        await Page.GotoAsync("/");
        await Page.Locator(".topbar button", new() { HasText = "New process" }).ClickAsync();
        var dialog = Page.GetByRole(AriaRole.Dialog, new() { Name = "New process" });
        await dialog.Locator("input").First.FillAsync("Double the price");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/processes/\d+$"));
        var convId = long.Parse(Regex.Match(Page.Url, @"/processes/(\d+)$").Groups[1].Value, CultureInfo.InvariantCulture);
        await Expect(NodeOnCanvas("start")).ToBeVisibleAsync();
        await Expect(NodeOnCanvas("final")).ToBeVisibleAsync();
        await WaitForStableBox(NodeOnCanvas("start"));

        // Drag a Code node and a second Final node from the palette onto the canvas.
        await DropFromPalette("code", 0.18, 0.45);
        await Expect(NodeOnCanvas("code1")).ToBeVisibleAsync();
        await Expect(Page.Locator(".side .node-type")).ToHaveTextAsync("Code");
        await DropFromPalette("final", 0.8, 0.7);
        await Expect(NodeOnCanvas("final1")).ToBeVisibleAsync();

        // The new final is selected: make it the error ending.
        await Expect(Page.Locator(".side .node-type")).ToHaveTextAsync("Final");
        await Page.Locator(".side label.field", new() { HasText = "Title" }).Locator("input").FillAsync("Failed");
        await ParamSelect("Result").SelectOptionAsync("error");
        await Expect(NodeOnCanvas("final1").Locator(".wf-title")).ToHaveTextAsync("Failed");

        // Connect the exits by dragging from a node's exit handle to another node.
        await Connect("start", "next", "code1");
        await Connect("code1", "next", "final");
        await Connect("code1", "error", "final1");
        await Expect(NodeOnCanvas("code1").Locator(".wf-exit.missing")).ToHaveCountAsync(0);
        await Expect(Page.Locator(".topbar .tag.warn")).ToHaveTextAsync("unsaved");

        // Invalid JavaScript: Validate shows the error on the node and its message.
        await NodeOnCanvas("code1").Locator(".wf-node-body").ClickAsync();
        await Expect(Page.Locator(".side .node-type")).ToHaveTextAsync("Code");
        await TypeCode("data.total = ;");
        await ToolbarButton("Validate").ClickAsync();
        await Expect(Page.Locator(".notice.error")).ToContainTextAsync("error(s) found");
        await Expect(NodeOnCanvas("code1").Locator(".wf-node")).ToHaveClassAsync(new Regex(@"\bhas-error\b"));
        // In words: the node's title and the field's label (the path stays in the tooltip).
        var listed = Page.Locator(".side .error-list li", new() { HasText = "JavaScript" });
        await Expect(listed).ToHaveCountAsync(1);
        await Expect(listed.Locator("button.link")).ToHaveTextAsync("Code");
        await Expect(listed.Locator(".field")).ToHaveAttributeAsync("title", "params.src");
        var message = (await listed.Locator("span").Last.TextContentAsync())!.Trim();
        Assert.That(message, Is.Not.Empty);

        // Save refuses it as well; with the node selected, the panel shows the message under the field.
        await ToolbarButton("Save").ClickAsync();
        await Expect(Page.Locator(".notice.error")).ToContainTextAsync("Not saved: 1 error(s)");
        await Expect(Tab("Node")).ToHaveClassAsync("on");
        await Expect(Page.Locator(".side .field.has-error .field-error")).ToHaveTextAsync(message);
        Assert.That((int?)(await Process(convId))["version"], Is.EqualTo(1), "nothing was saved");

        // Fix it: the field's error goes away as soon as it is edited; Save makes version 2.
        await TypeCode(FixedSrc);
        await Expect(Page.Locator(".side .field-error")).ToHaveCountAsync(0);
        await Expect(NodeOnCanvas("code1").Locator(".wf-node")).Not.ToHaveClassAsync(new Regex(@"\bhas-error\b"));
        await ToolbarButton("Save").ClickAsync();
        await Expect(Page.Locator(".notice.success")).ToHaveTextAsync("Saved as version 2.");
        await Expect(Page.Locator(".topbar .tag.warn")).ToHaveCountAsync(0);
        await Expect(Page.Locator(".proc-title")).ToContainTextAsync("v2");

        var saved = await Process(convId);
        Assert.That((int?)saved["version"], Is.EqualTo(2));
        var code = NodeIn(saved, "code1");
        Assert.Multiple(() =>
        {
            Assert.That((string?)code["type"], Is.EqualTo("code"));
            Assert.That((string?)code["params"]!["src"], Is.EqualTo(FixedSrc));
            Assert.That((string?)code["exits"]!["next"], Is.EqualTo("final"));
            Assert.That((string?)code["exits"]!["error"], Is.EqualTo("final1"));
            Assert.That((string?)NodeIn(saved, "start")["exits"]!["next"], Is.EqualTo("code1"));
            Assert.That((string?)NodeIn(saved, "final1")["params"]!["result"], Is.EqualTo("error"));
            Assert.That((string?)NodeIn(saved, "final1")["title"], Is.EqualTo("Failed"));
        });

        // And the saved process runs: a task goes through the code node.
        var hash = (string)saved["hash"]!;
        var task = await Server.CreateTask(convId, hash, new() { ["price"] = 21 });
        var done = await Server.WaitFor(task);
        Assert.That((int?)done["data"]!["total"], Is.EqualTo(42));
        Assert.That((string?)done["node_id"], Is.EqualTo("final"));
    }

    [Test]
    public async Task The_processes_page_searches_pauses_resumes_and_deletes()
    {
        var tag = Guid.NewGuid().ToString("n")[..8];
        var leads = $"Leads {tag}";
        var (leadsConv, _) = await Server.CreateProcess(StartToFinal(leads));
        await Server.CreateProcess(StartToFinal($"Invoices {tag}"));
        await Server.CreateProcess(StartToFinal($"Invoices archive {tag}"));

        await Page.GotoAsync("/");
        var rows = Page.Locator("table.table tbody tr");
        var search = Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search processes" });
        await search.FillAsync(tag);
        await Expect(rows).ToHaveCountAsync(3);
        await search.FillAsync($"invoices {tag}");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator(".title-link")).ToHaveTextAsync($"Invoices {tag}");
        await search.FillAsync("invoices");
        await Expect(rows.Filter(new() { HasText = tag })).ToHaveCountAsync(2);
        await search.FillAsync($"no such process {tag}");
        await Expect(Page.Locator(".empty h2")).ToHaveTextAsync("No process matches your search");
        await search.FillAsync(leads);
        await Expect(rows).ToHaveCountAsync(1);
        var row = rows.First;
        await Expect(row.Locator(".muted.small").First).ToContainTextAsync($"#{leadsConv}");

        // Pause and resume: the badge follows, and so does the server.
        await Expect(row.Locator(".status")).ToHaveTextAsync("active");
        await row.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(row.Locator(".status")).ToHaveTextAsync("paused");
        Assert.That((string?)(await Process(leadsConv))["status"], Is.EqualTo("paused"));
        await row.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(row.Locator(".status")).ToHaveTextAsync("active");
        Assert.That((string?)(await Process(leadsConv))["status"], Is.EqualTo("active"));

        // Delete asks first: Cancel keeps the process, Delete removes it.
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        var confirm = Page.GetByRole(AriaRole.Dialog, new() { Name = "Delete process" });
        await Expect(confirm).ToContainTextAsync(leads);
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(confirm).ToHaveCountAsync(0);
        await Expect(rows).ToHaveCountAsync(1);
        using (var kept = await Server.Http.GetAsync($"/api/processes/{leadsConv}"))
            Assert.That(kept.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(0);
        using (var gone = await Server.Http.GetAsync($"/api/processes/{leadsConv}"))
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        await search.FillAsync(tag);
        await Expect(rows).ToHaveCountAsync(2);
    }

    ILocator ParamSelect(string label) =>
        Page.Locator(".side div.field", new() { Has = Page.Locator("span.label", new() { HasText = label }) }).Locator("select");

    /// <summary>Replaces the text of the CodeMirror editor in the node panel.</summary>
    async Task TypeCode(string src)
    {
        var editor = Page.Locator(".side .cm-content");
        await editor.ClickAsync();
        await Page.Keyboard.PressAsync("ControlOrMeta+A");
        await Page.Keyboard.InsertTextAsync(src);
        await Expect(editor).ToHaveTextAsync(src);
    }
}
