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
        await Server.CreateProcess(StartToFinal("A process with a long description"));
        await Page.GotoAsync("/");
        var rows = Page.Locator("table.table tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await AssertCoversNothing("account menu", Page.GetByTestId("account"), "table.table");
        await AssertCoversNothing("account menu", Page.GetByTestId("account"), ".topbar .btn, .topbar input");
        Assert.That((await Box(rows.First)).Height, Is.LessThanOrEqualTo(56), "a process row is taller than two short lines");

        // The menu opens on a click and closes with Escape.
        await Page.GetByTestId("account").Locator(".account-toggle").ClickAsync();
        await Expect(Page.GetByTestId("account").GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await Page.Keyboard.PressAsync("Escape");
        await Expect(Page.GetByTestId("account").GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
    }
}
