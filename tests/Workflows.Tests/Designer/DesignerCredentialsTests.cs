using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Workflows.Simulators;
using Workflows.Tests.Support;
using static Microsoft.Playwright.Assertions;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Designer;

/// <summary>The credentials page (create, test against the RetailCRM simulator, edit without the secret, picked in a node) and one's own password.</summary>
public sealed class DesignerCredentialsTests : BrowserFixture
{
    RetailCrmSimulator _crm = null!;

    [OneTimeSetUp]
    public async Task StartSimulator()
    {
        _crm = new RetailCrmSimulator();
        await _crm.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopSimulator() => await _crm.DisposeAsync();

    ILocator Row(string name) => Page.Locator($"tr[data-credential='{name}']");

    async Task CreateRetailCrmCredential(string name, string apiKey)
    {
        await Page.GotoAsync("/");
        await AccountMenu("Credentials");
        await Page.GetByTestId("new-credential-kind").SelectOptionAsync("retailcrm");
        var form = Page.GetByTestId("credential-form");
        await form.Locator("input[name=name]").FillAsync(name);
        await form.Locator("input[name=url]").FillAsync(_crm.Base);
        await Expect(form.Locator("input[name=api_key]")).ToHaveAttributeAsync("type", "password");
        await form.Locator("input[name=api_key]").FillAsync(apiKey);
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Row(name)).ToContainTextAsync(_crm.Base);
    }

    [Test]
    public async Task A_credential_is_created_tested_and_edited_without_its_secret_being_shown()
    {
        await CreateRetailCrmCredential("shop-crm", RetailCrmSimulator.ApiKey);
        await Expect(Row("shop-crm")).ToContainTextAsync("set (secret)");
        await Expect(Page.Locator("body")).Not.ToContainTextAsync(RetailCrmSimulator.ApiKey);

        await Row("shop-crm").GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
        var result = Row("shop-crm").GetByTestId("credential-test-result");
        await Expect(result).ToContainTextAsync("the API key is accepted");
        await Expect(result).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bsuccess\b"));

        // Edit: the secret's field comes back empty (never sent back); a change elsewhere keeps it.
        await Row("shop-crm").GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var form = Page.GetByTestId("credential-form");
        await Expect(form.Locator("input[name=api_key]")).ToHaveValueAsync("");
        await Expect(form.Locator("input[name=url]")).ToHaveValueAsync(_crm.Base);
        await form.Locator("input[name=site]").FillAsync("main-shop");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(Row("shop-crm")).ToContainTextAsync("main-shop");
        var answer = await Server.PostJson("/api/credentials/shop-crm/test", "{}");
        Assert.That((bool?)answer["ok"], Is.True, "the key was kept: " + answer.ToJsonString());
        var page = await Page.ContentAsync();
        Assert.That(page, Does.Not.Contain(RetailCrmSimulator.ApiKey));

        // A wrong key: the test says so in the vendor's words.
        await CreateRetailCrmCredential("wrong-crm", "not-the-key");
        await Row("wrong-crm").GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
        await Expect(Row("wrong-crm").GetByTestId("credential-test-result")).ToContainTextAsync("Wrong \"apiKey\" value");
    }

    [Test]
    public async Task A_connector_node_picks_its_credential_from_a_list()
    {
        await CreateRetailCrmCredential("picked-crm", RetailCrmSimulator.ApiKey);
        var (conv, _) = await Server.CreateProcess(Definition("pick a credential",
            Node("start", "start", exits: P("""{"next":"crm"}""")),
            Node("crm", "retailcrm.order_get", P("""{"credential":"typed-by-hand","order_id":"{{id}}"}"""), P("""{"next":"done","error":"done"}""")),
            Final("done")));
        await OpenEditor(conv);
        await NodeOnCanvas("crm").Locator(".wf-node-body").ClickAsync();
        var select = Page.GetByTestId("credential-select");
        // The name typed before is kept and marked; the stored retailcrm credentials are offered.
        await Expect(select).ToHaveValueAsync("typed-by-hand");
        await Expect(select.Locator("option", new() { HasText = "typed-by-hand (not stored)" })).ToHaveCountAsync(1);
        await select.SelectOptionAsync("picked-crm");
        await ToolbarButton("Save").ClickAsync();
        await Expect(ToolbarButton("Save")).ToBeDisabledAsync();
        var process = await Process(conv);
        Assert.That((string?)NodeIn(process, "crm")["params"]!["credential"], Is.EqualTo("picked-crm"));
    }

    [Test]
    public async Task A_user_changes_their_own_password()
    {
        var login = "pw-" + Guid.NewGuid().ToString("n")[..6];
        using (var created = await Server.Http.PostJsonAsync("/api/users", new JsonObject { ["login"] = login, ["role"] = "editor", ["password"] = "first password 1" }.ToJsonString()))
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        // This page's context signs in as that user instead of the admin.
        var signIn = await Page.Context.APIRequest.PostAsync("/api/auth/login", new() { DataObject = new { login, password = "first password 1" } });
        Assert.That(signIn.Ok, Is.True);
        await Page.GotoAsync("/");
        await AccountMenu("Password");
        var form = Page.GetByTestId("password-form");
        await Expect(form).ToContainTextAsync(login);

        await form.Locator("input[name=current]").FillAsync("not my password");
        await form.Locator("input[name=new]").FillAsync("second password 2");
        await form.Locator("input[name=repeat]").FillAsync("second password 2");
        await form.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(Page.GetByTestId("password-result")).ToContainTextAsync("the current password is wrong");

        await form.Locator("input[name=current]").FillAsync("first password 1");
        await form.Locator("input[name=repeat]").FillAsync("second password 3");
        await form.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(Page.GetByTestId("password-result")).ToContainTextAsync("differ");

        await form.Locator("input[name=repeat]").FillAsync("second password 2");
        await form.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(Page.GetByTestId("password-result")).ToContainTextAsync("Your password is changed");

        using var anonymous = new HttpClient { BaseAddress = Server.BaseAddress };
        using (var old = await anonymous.PostJsonAsync("/api/auth/login", new JsonObject { ["login"] = login, ["password"] = "first password 1" }.ToJsonString()))
            Assert.That(old.IsSuccessStatusCode, Is.False);
        using (var fresh = await anonymous.PostJsonAsync("/api/auth/login", new JsonObject { ["login"] = login, ["password"] = "second password 2" }.ToJsonString()))
            Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
