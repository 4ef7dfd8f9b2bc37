using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Workflows.Tests.Designer;

/// <summary>The designer asks for a login; a wrong password is refused; signing out returns to the form.</summary>
public sealed class DesignerSignInTests : BrowserFixture
{
    protected override bool SignIn => false;

    [Test]
    public async Task A_user_signs_in_sees_the_processes_and_signs_out()
    {
        await Page.GotoAsync("/");
        var form = Page.GetByTestId("login-form");
        await Expect(form).ToBeVisibleAsync();

        await form.Locator("input[name=login]").FillAsync("admin");
        await form.Locator("input[name=password]").FillAsync("not the password");
        await form.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Alert)).ToContainTextAsync("wrong password");

        await form.Locator("input[name=password]").FillAsync(Support.TestServer.AdminPassword);
        await form.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.GetByTestId("account")).ToContainTextAsync("admin · admin");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "+ New process" }).First).ToBeVisibleAsync();

        await AccountMenu("Sign out");
        await Expect(Page.GetByTestId("login-form")).ToBeVisibleAsync();
    }
}
