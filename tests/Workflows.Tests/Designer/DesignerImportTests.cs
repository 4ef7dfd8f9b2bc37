using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Workflows.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Workflows.Tests.Designer;

/// <summary>A Corezoid export dropped on the Import button is converted, and the report says what became of it.</summary>
public sealed class DesignerImportTests : BrowserFixture
{
    [Test]
    public async Task A_Corezoid_export_imports_from_the_processes_page_with_a_report_and_opens_in_the_editor()
    {
        // A folder with one process: start, a db_call Corezoid has and we cannot convert, a final.
        var export = CorezoidExport.Folder(CorezoidExport.Process(null, "Shop orders from Corezoid",
            CorezoidExport.Start("q"),
            CorezoidExport.Node("q", 0,
                CorezoidExport.Logic("""{"type":"db_call","instance_id":1,"query":"SELECT 1","err_node_id":"e"}"""),
                CorezoidExport.Go("f")),
            CorezoidExport.Final("f"),
            CorezoidExport.Final("e", error: true)));
        var file = Path.Combine(Path.GetTempPath(), $"corezoid-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(file, export);
        try
        {
            await Page.GotoAsync("/");
            await Page.Locator("input[type=file]").SetInputFilesAsync(file);

            var report = Page.GetByTestId("import-report");
            await Expect(report).ToContainTextAsync("1 of 1 process created");
            await Expect(report).ToContainTextAsync("Not convertible");
            await Expect(report).ToContainTextAsync("db_call");
            var open = report.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("Shop orders from Corezoid") });
            var text = await open.InnerTextAsync();
            var convId = long.Parse(System.Text.RegularExpressions.Regex.Match(text, @"conv_id (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

            // The process exists on the server as the report says, and opens in the editor.
            var stored = await Server.GetJson($"/api/processes/{convId}");
            Assert.That((string?)stored["title"], Is.EqualTo("Shop orders from Corezoid"));
            await open.ClickAsync();
            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/processes/{convId}$"));
            await Expect(Page.Locator(".react-flow__node")).Not.ToHaveCountAsync(0);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Our_own_format_still_imports_as_a_process_without_a_report()
    {
        var definition = new JsonObject
        {
            ["title"] = "Own format",
            ["nodes"] = new JsonArray(TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "done" }), TestProcesses.Final("done")),
        };
        var file = Path.Combine(Path.GetTempPath(), $"own-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(file, definition.ToJsonString());
        try
        {
            await Page.GotoAsync("/");
            await Page.Locator("input[type=file]").SetInputFilesAsync(file);
            await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/processes/\d+$"));
            await Expect(Page.GetByTestId("import-report")).ToHaveCountAsync(0);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
