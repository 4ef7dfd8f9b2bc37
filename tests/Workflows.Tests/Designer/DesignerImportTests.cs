using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
        var export = CorezoidExport.FolderWithDbCall("Shop orders from Corezoid");
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
            var open = report.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("Shop orders from Corezoid") });
            var text = await open.InnerTextAsync();
            var convId = long.Parse(Regex.Match(text, @"conv_id (\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

            // The process exists on the server as the report says, and opens in the editor.
            var stored = await Server.GetJson($"/api/processes/{convId}");
            Assert.That((string?)stored["title"], Is.EqualTo("Shop orders from Corezoid"));
            await open.ClickAsync();
            await Expect(Page).ToHaveURLAsync(new Regex($"/processes/{convId}$"));
            await Expect(Page.Locator(".react-flow__node")).Not.ToHaveCountAsync(0);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// The nodes the importer changed or could not convert are marked on the canvas (a badge with the
    /// importer's words as its tooltip, and in the node panel), also when the process is opened again
    /// later, until the analyst saves a new version.
    /// </summary>
    [Test]
    public async Task An_imported_process_opens_with_the_nodes_the_import_changed_marked_until_a_new_version_is_saved()
    {
        var file = Path.Combine(Path.GetTempPath(), $"corezoid-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(file, CorezoidExport.FolderWithDbCall("Marked on the canvas"));
        try
        {
            await Page.GotoAsync("/");
            await Page.Locator("input[type=file]").SetInputFilesAsync(file);
            await Page.GetByTestId("import-report").GetByRole(AriaRole.Link, new() { NameRegex = new Regex("Marked on the canvas") }).ClickAsync();
            await Expect(Page).ToHaveURLAsync(new Regex(@"/processes/\d+$"));
            var convId = long.Parse(Regex.Match(Page.Url, @"/processes/(\d+)$").Groups[1].Value, CultureInfo.InvariantCulture);

            // The db_call node stands in as a no-op: marked as not converted, the importer's words in its tooltip.
            var mark = NodeOnCanvas("q").GetByTestId("import-mark");
            await Expect(mark).ToBeVisibleAsync();
            await Expect(mark).ToHaveClassAsync(new Regex(@"\bnot-convertible\b"));
            await Expect(mark).ToHaveAttributeAsync("title", new Regex(@"^Not converted by the Corezoid import\n.*db_call", RegexOptions.Singleline));
            await Expect(NodeOnCanvas("q").Locator(".wf-node")).ToHaveClassAsync(new Regex(@"\bimport-not-convertible\b"));
            await Expect(Page.GetByTestId("import-mark")).ToHaveCountAsync(1);

            // The process panel lists the notes; a node's note selects the node, whose panel says it too.
            var listed = Page.GetByTestId("process-import-notes");
            await Expect(listed).ToContainTextAsync("1 node marked on the canvas");
            await listed.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("db_call") }).ClickAsync();
            await Expect(Tab("Node")).ToHaveClassAsync("on");
            var onNode = Page.GetByTestId("node-import-notes");
            await Expect(onNode).ToContainTextAsync("Not converted by the Corezoid import");
            await Expect(onNode).ToContainTextAsync("db_call");
            await Shot("import-marks");

            // Opened again later: still marked (the notes are kept with the imported version).
            await OpenEditor(convId);
            await Expect(NodeOnCanvas("q").GetByTestId("import-mark")).ToBeVisibleAsync();

            // The analyst renames the node and saves: version 2 carries no notes, so nothing is marked, now or when reopened.
            await NodeOnCanvas("q").Locator(".wf-node-body").ClickAsync();
            await Page.Locator(".side").GetByLabel("Title", new() { Exact = true }).FillAsync("Rebuild: read orders");
            await ToolbarButton("Save").ClickAsync();
            await Expect(Page.Locator(".notice.success")).ToHaveTextAsync("Saved as version 2.");
            await Expect(Page.GetByTestId("import-mark")).ToHaveCountAsync(0);
            await OpenEditor(convId);
            await Expect(NodeOnCanvas("q").Locator(".wf-title")).ToHaveTextAsync("Rebuild: read orders");
            await Expect(Page.GetByTestId("import-mark")).ToHaveCountAsync(0);
            Assert.That((await Process(convId))["definition"]!["import_notes"], Is.Null);
            Assert.That((await Server.GetJson($"/api/processes/{convId}/versions/1"))["import_notes"]!.AsArray(), Is.Not.Empty,
                "the imported version keeps its notes");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Each real Corezoid export beside the repository goes through the Import button: the report
    /// lists the processes the file holds, each opens with every node of the file on the canvas, and the
    /// nodes the importer noted are the ones marked.
    /// </summary>
    [TestCaseSource(nameof(RealExports))]
    public async Task A_real_Corezoid_export_imports_through_the_button_and_each_process_it_holds_opens(string name)
    {
        if (name == NoExports)
            Assert.Ignore("The real Corezoid exports were not found: they are read from ../shared/corezoid beside the folder holding Workflows.sln, and that folder is missing here.");
        var path = Path.Combine(SharedExports()!, name);
        var expected = ExportedProcess.In(await File.ReadAllTextAsync(path));
        Assert.That(expected, Is.Not.Empty, $"{name} holds no process (an object with scheme.nodes)");

        await Page.GotoAsync("/");
        await Page.Locator("input[type=file]").SetInputFilesAsync(path);
        var report = Page.GetByTestId("import-report");
        await Expect(report).ToContainTextAsync($"{expected.Count} of {expected.Count} process{(expected.Count == 1 ? "" : "es")} created.");
        var links = report.GetByRole(AriaRole.Link);
        await Expect(links).ToHaveCountAsync(expected.Count);

        // Each link names a process of the file; its conv_id is the file's obj_id, or the report says which replaced it.
        var reportText = await report.InnerTextAsync();
        var made = new List<(ExportedProcess Expected, long ConvId, string Href)>();
        var left = expected.ToList();
        for (var i = 0; i < expected.Count; i++)
        {
            var text = await links.Nth(i).InnerTextAsync();
            var href = (await links.Nth(i).GetAttributeAsync("href"))!;
            var match = Regex.Match(text, @"^(.*) \(conv_id (\d+)\)$", RegexOptions.Singleline);
            Assert.That(match.Success, Is.True, $"link '{text}'");
            var process = left.FirstOrDefault(p => p.Title == match.Groups[1].Value);
            Assert.That(process, Is.Not.Null, $"the report's '{text}' is not one of the file's processes ({string.Join(", ", expected.Select(p => p.Title))})");
            left.Remove(process!);
            var convId = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            if (process!.ObjId is > 0 and var objId && objId != convId)
                Assert.That(reportText, Does.Contain($"{process.Title} {objId} → {convId}"), "a replaced conv_id is in the report");
            made.Add((process, convId, href));
        }

        // What the import noted per process (kept with the version it made) is what the report said.
        var definitions = new List<JsonNode>();
        foreach (var (_, convId, _) in made)
        {
            var definition = (await Process(convId))["definition"]!;
            foreach (var note in definition["import_notes"]?.AsArray() ?? []) await Expect(report).ToContainTextAsync((string)note!["what"]!);
            definitions.Add(definition);
        }
        // The report says where those notes will show (it is drawn whole: its counts are already there).
        const string markedHint = "marked on the canvas when you open their process";
        if (definitions.Any(d => d["import_notes"]?.AsArray().Any(n => n!["node_id"] is not null) == true)) await Expect(report).ToContainTextAsync(markedHint);
        else await Expect(report).Not.ToContainTextAsync(markedHint);

        for (var i = 0; i < made.Count; i++)
        {
            var (process, convId, href) = made[i];
            var nodes = definitions[i]["nodes"]!.AsArray().Select(n => (string)n!["id"]!).ToHashSet();
            var notes = definitions[i]["import_notes"]?.AsArray().Select(n => n!).ToList() ?? [];

            // The first from the report itself; the others by their links (the report closes on the first).
            if (i == 0) await links.First.ClickAsync();
            else await Page.GotoAsync(href);
            await Expect(Page).ToHaveURLAsync(new Regex($"/processes/{convId}$"));
            await Expect(Page.Locator(".react-flow__node")).ToHaveCountAsync(nodes.Count);
            var onCanvas = await Page.Locator(".react-flow__node").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.id)");
            Assert.That(onCanvas, Is.SupersetOf(process.NodeIds), $"{process.Title}: every node of the file is on the canvas");

            // Marked: exactly the nodes the importer noted, each with its notes in the tooltip.
            var noted = notes.Where(n => (string?)n["node_id"] is { } id && nodes.Contains(id)).GroupBy(n => (string)n["node_id"]!).ToList();
            await Expect(Page.GetByTestId("import-mark")).ToHaveCountAsync(noted.Count);
            foreach (var node in noted)
                foreach (var note in node)
                    await Expect(NodeOnCanvas(node.Key).GetByTestId("import-mark")).ToHaveAttributeAsync("title", new Regex(Regex.Escape((string)note["what"]!)));
        }
    }

    const string NoExports = "(none found)";

    public static IEnumerable<string> RealExports() =>
        SharedExports() is { } folder ? Directory.GetFiles(folder, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal) : [NoExports];

    /// <summary>../shared/corezoid beside the folder holding Workflows.sln (found from the test's own folder), or null.</summary>
    static string? SharedExports()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln")))
            {
                var folder = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corezoid"));
                return Directory.Exists(folder) ? folder : null;
            }
        return null;
    }

    /// <summary>A process as the export file holds it: an object with scheme.nodes (obj_type 1 or none), found at any depth of folders.</summary>
    sealed record ExportedProcess(string Title, long? ObjId, IReadOnlyList<string> NodeIds)
    {
        public static List<ExportedProcess> In(string json)
        {
            // Real exports repeat keys (conv_type): JsonDocument reads them (the last wins for a look-up).
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var found = new List<ExportedProcess>();
            Walk(document.RootElement, found);
            return found;
        }

        static void Walk(JsonElement e, List<ExportedProcess> found)
        {
            if (e.ValueKind == JsonValueKind.Array)
                foreach (var item in e.EnumerateArray()) Walk(item, found);
            if (e.ValueKind != JsonValueKind.Object) return;
            if (e.TryGetProperty("scheme", out var scheme) && scheme.ValueKind == JsonValueKind.Object
                && scheme.TryGetProperty("nodes", out var nodes) && nodes.ValueKind == JsonValueKind.Array
                && (!e.TryGetProperty("obj_type", out var type) || type.ToString() == "1"))
            {
                var title = e.TryGetProperty("title", out var t) ? t.ToString() : "";
                long? objId = e.TryGetProperty("obj_id", out var o) && long.TryParse(o.ToString(), CultureInfo.InvariantCulture, out var id) ? id : null;
                // A process without a title is named after its obj_id, as the import names it.
                if (string.IsNullOrWhiteSpace(title)) title = objId is null ? "Imported process" : $"Process {objId}";
                var ids = nodes.EnumerateArray()
                    .Where(n => n.ValueKind == JsonValueKind.Object && n.TryGetProperty("id", out var nid) && nid.ValueKind == JsonValueKind.String)
                    .Select(n => n.GetProperty("id").GetString()!).Distinct().ToList();
                found.Add(new ExportedProcess(title, objId, ids));
                return;
            }
            foreach (var property in e.EnumerateObject()) Walk(property.Value, found);
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
            await Expect(Page).ToHaveURLAsync(new Regex(@"/processes/\d+$"));
            await Expect(Page.GetByTestId("import-report")).ToHaveCountAsync(0);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
