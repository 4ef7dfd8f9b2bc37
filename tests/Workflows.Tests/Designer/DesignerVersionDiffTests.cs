using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Workflows.Tests.Designer;

/// <summary>The Versions tab compares two saved versions: each changed field with its old value struck out and its new one.</summary>
public sealed class DesignerVersionDiffTests : BrowserFixture
{
    [Test]
    public async Task Two_saved_versions_compare_with_each_changed_fields_old_and_new_value()
    {
        var greet = TestProcesses.Node("greet", "set_param", P("""{"values":{"greeting":"hello"}}"""), P("""{"next":"done"}"""));
        greet["title"] = "Greet";
        var (conv, _) = await Server.CreateProcess(TestProcesses.Definition("versions to compare",
            TestProcesses.Node("start", "start", exits: P("""{"next":"greet"}""")), greet, TestProcesses.Final("done")));

        // Version 2, saved in the editor: the node gets a new title.
        await OpenEditor(conv);
        await NodeOnCanvas("greet").Locator(".wf-node-body").ClickAsync();
        await Page.Locator(".side label.field", new() { HasText = "Title" }).Locator("input").FillAsync("Greet the client");
        await ToolbarButton("Save").ClickAsync();
        await Expect(Page.Locator(".notice.success")).ToHaveTextAsync("Saved as version 2.");

        await Tab("Versions").ClickAsync();
        var compare = Page.Locator(".compare");
        await Expect(compare.Locator("select").First.Locator("option")).ToHaveCountAsync(2);
        await compare.Locator("select").First.SelectOptionAsync("1");
        await compare.Locator("select").Last.SelectOptionAsync("2");
        await compare.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Compare" }).ClickAsync();

        await Expect(compare.Locator(".diff .muted.small").First).ToHaveTextAsync("v1 → v2");
        var changed = compare.Locator(".diff-item.changed", new() { HasText = "Greet the client" });
        await Expect(changed).ToHaveCountAsync(1);
        var title = changed.GetByTestId("diff-values").Locator("div", new() { Has = Page.Locator("dt", new() { HasTextString = "title" }) });
        await Expect(title.Locator("del")).ToHaveTextAsync("Greet");
        await Expect(title.Locator("ins")).ToHaveTextAsync("Greet the client");
        await Expect(changed.Locator("dt")).ToHaveTextAsync(["title"]);
        await Shot("version-diff");
    }
}
