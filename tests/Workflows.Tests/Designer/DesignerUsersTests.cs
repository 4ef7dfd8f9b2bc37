using Workflows.Tests.Support;
using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Workflows.Tests.Designer;

/// <summary>An admin adds a user in the designer, copies its key once, and the key works.</summary>
public sealed class DesignerUsersTests : BrowserFixture
{
    [Test]
    public async Task An_admin_adds_a_user_and_its_api_key_works()
    {
        await Page.GotoAsync("/");
        await AccountMenu("Users");
        var form = Page.GetByTestId("new-user");
        await form.Locator("input[name=login]").FillAsync("operator-1");
        await form.Locator("select[name=role]").SelectOptionAsync("viewer");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();

        var issued = Page.GetByTestId("issued-keys");
        await Expect(issued).ToContainTextAsync("operator-1");
        var key = await issued.Locator("code").First.TextContentAsync();
        await Expect(Page.Locator("table tr", new() { HasText = "operator-1" })).ToContainTextAsync("viewer");

        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        using (var read = await http.GetAsync("/api/processes")) Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var change = await http.PostJsonAsync("/api/processes", "{}")) Assert.That(change.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
