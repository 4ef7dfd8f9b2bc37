using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Workflows.Tests.Processes;
using static Microsoft.Playwright.Assertions;

namespace Workflows.Tests.Designer;

/// <summary>
/// Large processes stay readable on a 1440×900 screen: the 28-node robot-call template is laid out
/// in layers that spread sideways, Fit stops at a zoom where titles can be read, and the minimap and
/// the account menu cover nothing.
/// </summary>
public sealed class DesignerReadableTests : BrowserFixture
{
    /// <summary>The smallest zoom Fit goes down to (designer/src/model/fit.ts, MIN_FIT_ZOOM).</summary>
    const double ReadableZoom = 0.65;

    /// <summary>The watch-shop's robot call (processes/watch-shop/3-robot-call.json), without positions: the designer lays it out.</summary>
    async Task<long> CreateRobotCall()
    {
        var json = await File.ReadAllTextAsync(Path.Combine(TemplateFixture.ProcessesFolder, "watch-shop", "3-robot-call.json"));
        var definition = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        definition.Remove("conv_id");
        definition.Remove("alias");
        var (conv, _) = await Server.CreateProcess(definition.ToJsonString());
        return conv;
    }

    async Task<double> Zoom()
    {
        var transform = await Page.Locator(".react-flow__viewport").EvaluateAsync<string>("e => e.style.transform");
        var m = Regex.Match(transform, @"scale\(([0-9.]+)\)");
        Assert.That(m.Success, Is.True, $"no scale in the viewport's transform: {transform}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    async Task<IReadOnlyList<LocatorBoundingBoxResult>> Boxes(string selector)
    {
        var boxes = new List<LocatorBoundingBoxResult>();
        foreach (var element in await Page.Locator(selector).AllAsync())
            if (await element.BoundingBoxAsync() is { } box) boxes.Add(box);
        return boxes;
    }

    static bool Intersect(LocatorBoundingBoxResult a, LocatorBoundingBoxResult b) =>
        a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height;

    static string Describe(LocatorBoundingBoxResult b) => $"({b.X:0},{b.Y:0} {b.Width:0}×{b.Height:0})";

    async Task AssertCoversNothing(string what, ILocator cover, string selector)
    {
        var box = await Box(cover);
        var hits = (await Boxes(selector)).Where(b => Intersect(box, b)).Select(Describe).ToList();
        Assert.That(hits, Is.Empty, $"the {what} {Describe(box)} covers {selector}");
    }

    [Test]
    public async Task The_robot_call_process_is_readable_at_fit_on_a_1440x900_screen()
    {
        var conv = await CreateRobotCall();
        await OpenEditor(conv);
        await Expect(Page.Locator(".react-flow__node")).ToHaveCountAsync(28);

        await ToolbarButton("Fit").ClickAsync();
        await WaitForStableBox(NodeOnCanvas("start"));
        await Shot("large-process");
        var zoom = await Zoom();
        Assert.That(zoom, Is.GreaterThanOrEqualTo(ReadableZoom - 0.001), "Fit zoomed out below the readable zoom");

        // Titles on screen at least ~8.5 px (13.5 px at the zoom of 0.65), and the start node in view.
        var titleSize = await NodeOnCanvas("start").Locator(".wf-title").EvaluateAsync<double>(
            "e => parseFloat(getComputedStyle(e).fontSize) * e.getBoundingClientRect().height / e.offsetHeight");
        Assert.That(titleSize, Is.GreaterThanOrEqualTo(8.5), "node titles are too small to read");
        var canvas = await Box(Page.Locator(".canvas"));
        var start = await Box(NodeOnCanvas("start"));
        Assert.That(Intersect(canvas, start), Is.True, "Fit does not show the start node");

        // Layered: the process is wider than one column of nodes (branches side by side).
        var nodes = await Boxes(".react-flow__node");
        var widest = nodes.Max(b => b.Width);
        var width = nodes.Max(b => b.X + b.Width) - nodes.Min(b => b.X);
        Assert.That(width, Is.GreaterThan(2.5 * widest), "the layout is one tall column");
        for (var i = 0; i < nodes.Count; i++)
            for (var j = i + 1; j < nodes.Count; j++)
                Assert.That(Intersect(nodes[i], nodes[j]), Is.False, $"nodes overlap: {Describe(nodes[i])} and {Describe(nodes[j])}");

        // The minimap and the account menu cover no node and none of the canvas's controls.
        await AssertCoversNothing("minimap", Page.Locator(".react-flow__minimap"), ".react-flow__node");
        await AssertCoversNothing("minimap", Page.Locator(".react-flow__minimap"), ".canvas");
        await AssertCoversNothing("account menu", Page.GetByTestId("account"), ".react-flow__node");
        await AssertCoversNothing("account menu", Page.GetByTestId("account"), ".react-flow__controls");
        await AssertCoversNothing("account menu", Page.GetByTestId("account"), ".toolbar .btn");

        // Scrolling shows the rest: the last node is reached by panning down.
        await Page.Mouse.MoveAsync(canvas.X + canvas.Width / 2, canvas.Y + canvas.Height / 2);
        var before = (await Box(NodeOnCanvas("final_manual"))).Y;
        await Page.Mouse.WheelAsync(0, 600);
        var after = before;
        for (var i = 0; i < 40 && after > before - 100; i++)
        {
            await Task.Delay(50);
            after = (await Box(NodeOnCanvas("final_manual"))).Y;
        }
        Assert.That(after, Is.LessThan(before - 100), "the mouse wheel does not scroll the canvas");
        Assert.That(await Zoom(), Is.EqualTo(zoom).Within(0.001), "the mouse wheel pans, it does not zoom");
    }

    [Test]
    public async Task The_rules_editor_shows_javascript_in_full()
    {
        var conv = await CreateRobotCall();
        await OpenEditor(conv);
        await NodeOnCanvas("too_long").Locator(".wf-node-body").ClickAsync();
        var js = Page.Locator(".side .rule .seg button", new() { HasText = "JavaScript" });
        await Expect(js).ToHaveClassAsync("on");
        var widths = await js.EvaluateAsync<int[]>("e => [e.scrollWidth, e.clientWidth]");
        Assert.That(widths[0], Is.LessThanOrEqualTo(widths[1]), "the JavaScript label is cut");
        await Expect(js).ToHaveTextAsync("JavaScript");
        var rule = await Box(Page.Locator(".side .rule").First);
        var label = await Box(js);
        Assert.That(label.X + label.Width, Is.LessThanOrEqualTo(rule.X + rule.Width), "the JavaScript button sticks out of the rule");
    }

    [Test]
    public async Task The_account_menu_covers_no_table_and_process_rows_are_compact()
    {
        var described = System.Text.Json.Nodes.JsonNode.Parse(StartToFinal("A process with a long description"))!.AsObject();
        described["description"] = string.Join(' ', Enumerable.Repeat("Normalise the phone, check it, wait for the payment and send the lead to the CRM.", 3));
        await Server.CreateProcess(described.ToJsonString());
        await Page.GotoAsync("/");
        var rows = Page.Locator("table.table tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await AssertCoversNothing("account menu", Page.GetByTestId("account"), "table.table");
        await AssertCoversNothing("account menu", Page.GetByTestId("account"), ".topbar .btn, .topbar input");
        Assert.That((await Box(rows.First)).Height, Is.LessThanOrEqualTo(56), "a process row is taller than two short lines");
        // The whole row fits the table: the last button (Delete) is not cut off at the right.
        var table = await Box(Page.Locator("table.table"));
        var delete = await Box(rows.First.GetByRole(AriaRole.Button, new() { Name = "Delete" }));
        Assert.That(delete.X + delete.Width, Is.LessThanOrEqualTo(table.X + table.Width), "the table is wider than the page: Delete is cut off");

        // The menu opens on a click and closes with Escape.
        await Page.GetByTestId("account").Locator(".account-toggle").ClickAsync();
        await Expect(Page.GetByTestId("account").GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Page.GetByTestId("account").GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
    }
}
