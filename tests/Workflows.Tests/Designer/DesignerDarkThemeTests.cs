using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Workflows.Tests.Designer;

/// <summary>The designer follows the system's colour scheme: dark when the system is dark, on every page and on the canvas.</summary>
public sealed partial class DesignerDarkThemeTests : BrowserFixture
{
    [GeneratedRegex(@"rgba?\((\d+(?:\.\d+)?), (\d+(?:\.\d+)?), (\d+(?:\.\d+)?)(?:, ([\d.]+))?\)")]
    private static partial Regex Rgb();

    /// <summary>The relative luminance (0 black … 1 white) of a computed CSS colour; null when it is transparent.</summary>
    static double? Luminance(string color)
    {
        var m = Rgb().Match(color);
        if (!m.Success) throw new FormatException($"not an rgb() colour: {color}");
        if (m.Groups[4].Success && double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) == 0) return null;
        static double Channel(string text)
        {
            var c = double.Parse(text, CultureInfo.InvariantCulture) / 255;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(m.Groups[1].Value) + 0.7152 * Channel(m.Groups[2].Value) + 0.0722 * Channel(m.Groups[3].Value);
    }

    /// <summary>Waits until the element's computed background (and text colour) is dark, or light; fails with the colours last seen.</summary>
    static async Task ExpectShade(ILocator element, bool dark, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var colors = await element.EvaluateAsync<string[]>("e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color]; }");
            var (background, text) = (colors[0], colors[1]);
            var (bg, fg) = (Luminance(background), Luminance(text));
            if (bg is { } b && fg is { } f && (dark ? b < 0.05 && f > 0.5 : b > 0.8 && f < 0.1)) return;
            if (DateTime.UtcNow > until)
                Assert.Fail($"{what} is not {(dark ? "dark" : "light")}: background {background}, text {text}");
            await Task.Delay(50);
        }
    }

    [Test]
    public async Task Every_main_page_and_the_canvas_are_dark_when_the_system_is()
    {
        var (conv, _) = await Server.CreateProcess(StartToFinal("dark theme"));
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        foreach (var (path, title) in new[]
        {
            ("/", "Workflows"), ("/credentials", "Credentials"), ("/env", "Environment variables"), ("/users", "Users"), ("/password", "password"),
        })
        {
            await Page.GotoAsync(path);
            await Expect(Page.Locator(".topbar .brand")).ToContainTextAsync(title);
            await ExpectShade(Page.Locator("body"), dark: true, $"the page {path}");
            await ExpectShade(Page.Locator(".topbar"), dark: true, $"the top bar of {path}");
        }

        await OpenEditor(conv);
        await Expect(Page.Locator(".react-flow")).ToHaveClassAsync(new Regex(@"\bdark\b"));
        await ExpectShade(Page.Locator(".react-flow"), dark: true, "the canvas");
        await ExpectShade(NodeOnCanvas("start").Locator(".wf-node"), dark: true, "a node on the canvas");
        await ExpectShade(Page.Locator(".side"), dark: true, "the side panel");
        await ExpectShade(Page.Locator(".react-flow__minimap"), dark: true, "the minimap (beside the canvas, not in it)");
        await Shot("editor-dark");

        // The system turns light: so does the designer, without a reload.
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await ExpectShade(Page.Locator("body"), dark: false, "the editor page");
        await ExpectShade(NodeOnCanvas("start").Locator(".wf-node"), dark: false, "a node on the canvas");
        await ExpectShade(Page.Locator(".react-flow__minimap"), dark: false, "the minimap");
    }
}
