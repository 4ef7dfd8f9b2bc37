using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Workflows.Tests.Designer;

/// <summary>Environment variables are managed on their own page; a secret's value is never shown again.</summary>
public sealed class DesignerEnvVarsTests : BrowserFixture
{
    [Test]
    public async Task A_visible_and_a_secret_variable_are_saved_and_the_secret_is_not_shown()
    {
        await Page.GotoAsync("/");
        await AccountMenu("Variables");
        var form = Page.GetByTestId("new-env-var");
        await form.Locator("input[name=name]").FillAsync("crm-url");
        await form.Locator("input[name=value]").FillAsync("https://crm.example/");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Page.Locator("table tr", new() { HasText = "crm-url" })).ToContainTextAsync("https://crm.example/");

        await form.Locator("input[name=name]").FillAsync("crm-token");
        await form.Locator("input[name=value]").FillAsync("very-secret-token");
        await form.Locator("input[name=secret]").CheckAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var row = Page.Locator("table tr", new() { HasText = "crm-token" });
        await Expect(row).ToContainTextAsync("secret");
        await Expect(Page.GetByTestId("env-vars")).Not.ToContainTextAsync("very-secret-token");
    }
}
