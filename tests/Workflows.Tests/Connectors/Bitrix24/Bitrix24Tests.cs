using Workflows.Connectors.Credentials;
using System.Text.Json.Nodes;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.Bitrix24;

public sealed class Bitrix24Tests
{
    static JsonObject AddParams(string credential) => new()
    {
        ["credential"] = credential,
        ["fields"] = new JsonObject { ["TITLE"] = "Order from {{name}}", ["NAME"] = "{{name}}", ["UTM_SOURCE"] = "{{utm}}" },
        ["phone"] = "{{phone}}",
    };

    static JsonObject Lead => new() { ["name"] = "Ivan", ["phone"] = "79161234567", ["utm"] = "partner42" };

    [Test]
    public async Task Lead_add_by_webhook_creates_the_lead_and_returns_its_id()
    {
        var task = await Run("bitrix24.lead_add", AddParams("demo-bitrix24"), Lead);
        Succeeded(task, "bitrix24");
        var id = task["data"]!["lead_id"]!.ToJsonString();
        var lead = Sims.Bitrix24.Leads[id];
        Assert.That((string?)lead["TITLE"], Is.EqualTo("Order from Ivan"));
        Assert.That((string?)lead["PHONE"]![0]!["VALUE"], Is.EqualTo("79161234567"));
    }

    [Test]
    public async Task Lead_update_then_get_sees_the_change()
    {
        var added = await Run("bitrix24.lead_add", AddParams("demo-bitrix24"), Lead);
        var id = added["data"]!["lead_id"]!.ToJsonString();
        var updated = await Run("bitrix24.lead_update", new JsonObject
        {
            ["credential"] = "demo-bitrix24", ["lead_id"] = "{{lead_id}}", ["fields"] = new JsonObject { ["STATUS_ID"] = "{{status}}" },
        }, new JsonObject { ["lead_id"] = id, ["status"] = "IN_PROCESS" });
        Succeeded(updated, "bitrix24");
        var got = await Run("bitrix24.lead_get", new JsonObject { ["credential"] = "demo-bitrix24" }, new JsonObject { ["lead_id"] = id }, "not_found");
        Succeeded(got, "bitrix24");
        Assert.That((string?)got["data"]!["lead"]!["STATUS_ID"], Is.EqualTo("IN_PROCESS"));
    }

    [Test]
    public async Task Lead_get_of_a_missing_lead_leaves_by_not_found()
    {
        var task = await Run("bitrix24.lead_get", new JsonObject { ["credential"] = "demo-bitrix24", ["lead_id"] = "999999" }, null, "not_found");
        Assert.That((string?)task["node_id"], Is.EqualTo("not_found"));
    }

    [Test]
    public async Task Contact_find_by_partner_field_and_by_phone()
    {
        Sims.Bitrix24.AddContact(new JsonObject { ["NAME"] = "Partner", ["UF_CRM_PARTNER_ID"] = "p-777", ["PHONE"] = new JsonArray(new JsonObject { ["VALUE"] = "79990001122" }) });
        var byField = await Run("bitrix24.contact_find", new JsonObject { ["credential"] = "demo-bitrix24", ["field"] = "UF_CRM_PARTNER_ID", ["value"] = "{{utm}}" }, new JsonObject { ["utm"] = "p-777" }, "not_found");
        Succeeded(byField, "bitrix24");
        Assert.That((string?)byField["data"]!["contact"]!["NAME"], Is.EqualTo("Partner"));
        var byPhone = await Run("bitrix24.contact_find", new JsonObject { ["credential"] = "demo-bitrix24", ["phone"] = "{{phone}}" }, new JsonObject { ["phone"] = "79990001122" }, "not_found");
        Assert.That((string?)byPhone["node_id"], Is.EqualTo("ok"));
        var none = await Run("bitrix24.contact_find", new JsonObject { ["credential"] = "demo-bitrix24", ["phone"] = "70000000000" }, null, "not_found");
        Assert.That((string?)none["node_id"], Is.EqualTo("not_found"));
        Succeeded(byPhone, "bitrix24");
        Assert.That(byPhone["data"]!["contact_id"], Is.Not.Null);
    }

    [Test]
    public async Task Wrong_webhook_is_a_software_auth_error()
    {
        var task = await Run("bitrix24.lead_add", AddParams("bad-bitrix24"), Lead);
        FailedWith(task, "bitrix24", "software", "auth_failed");
        Assert.That(ErrorText(task, "bitrix24"), Does.Contain("INVALID_CREDENTIALS"));
    }

    [Test]
    public async Task Query_limit_is_retried_and_then_succeeds()
    {
        Sims.Bitrix24.FailNext = 2;
        var task = await Run("bitrix24.lead_add", AddParams("demo-bitrix24"), Lead);
        Succeeded(task, "bitrix24");
        Assert.That(Sims.Bitrix24.FailNext, Is.Zero);
    }

    [Test]
    public async Task Query_limit_that_outlasts_the_retries_is_a_hardware_error()
    {
        Sims.Bitrix24.FailNext = 10;
        try
        {
            var task = await Run("bitrix24.lead_add", AddParams("demo-bitrix24"), Lead);
            FailedWith(task, "bitrix24", "hardware", "QUERY_LIMIT_EXCEEDED");
        }
        finally { Sims.Bitrix24.FailNext = 0; }
    }

    [Test]
    public async Task Validation_error_is_permanent_with_the_vendor_text()
    {
        var task = await Run("bitrix24.lead_add", new JsonObject { ["credential"] = "demo-bitrix24", ["fields"] = new JsonObject { ["COMMENTS"] = "no title" } });
        FailedWith(task, "bitrix24", "software", "bitrix24_error");
        Assert.That(ErrorText(task, "bitrix24"), Does.Contain("Required fields"));
    }

    [Test]
    public async Task Expired_oauth_token_is_refreshed_and_the_new_pair_saved()
    {
        var store = TestHost.Get<CredentialStore>();
        var before = await store.GetAsync("demo-bitrix24-oauth");
        Sims.Bitrix24.ExpireAccessTokens();
        var refreshes = Sims.Bitrix24.Refreshes;
        var task = await Run("bitrix24.lead_add", AddParams("demo-bitrix24-oauth"), Lead);
        Succeeded(task, "bitrix24");
        Assert.That(Sims.Bitrix24.Refreshes, Is.EqualTo(refreshes + 1));
        var after = await store.GetAsync("demo-bitrix24-oauth");
        Assert.That(after!["access_token"], Is.Not.EqualTo(before!["access_token"]));
        Assert.That(after["refresh_token"], Is.Not.EqualTo(before["refresh_token"]));
        Assert.That(after["expires_at"], Is.Not.Null);

        // The saved pair keeps working without another refresh.
        var again = await Run("bitrix24.lead_add", AddParams("demo-bitrix24-oauth"), Lead);
        Succeeded(again, "bitrix24");
        Assert.That(Sims.Bitrix24.Refreshes, Is.EqualTo(refreshes + 1));
    }

    [Test]
    public async Task Token_past_its_expiry_is_refreshed_before_the_call()
    {
        var store = TestHost.Get<CredentialStore>();
        var current = await store.GetAsync("demo-bitrix24-oauth");
        var (access, refresh) = Sims.Bitrix24.IssuePair();
        await store.PutAsync(current!.With(new Dictionary<string, string> { ["expires_at"] = "1000", ["access_token"] = access, ["refresh_token"] = refresh }) with { Name = "bitrix24-expiring" });
        var refreshes = Sims.Bitrix24.Refreshes;
        var task = await Run("bitrix24.lead_add", AddParams("bitrix24-expiring"), Lead);
        Succeeded(task, "bitrix24");
        Assert.That(Sims.Bitrix24.Refreshes, Is.EqualTo(refreshes + 1));
        Assert.That(long.Parse((await store.GetAsync("bitrix24-expiring"))!["expires_at"]!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    }

    [Test]
    public async Task Refresh_with_a_revoked_refresh_token_is_a_software_auth_error()
    {
        await PutCredential("bitrix24-revoked", "bitrix24", new Dictionary<string, string>
        {
            ["portal_url"] = $"{Sims.Bitrix24.Base}/rest/", ["oauth_url"] = $"{Sims.Bitrix24.Base}/oauth/token/",
            ["client_id"] = Workflows.Simulators.Bitrix24Simulator.ClientId, ["client_secret"] = Workflows.Simulators.Bitrix24Simulator.ClientSecret,
            ["access_token"] = "stale", ["refresh_token"] = "revoked",
        });
        var task = await Run("bitrix24.lead_add", AddParams("bitrix24-revoked"), Lead);
        FailedWith(task, "bitrix24", "software", "auth_failed");
        Assert.That(ErrorText(task, "bitrix24"), Does.Contain("invalid_grant"));
    }

    [Test]
    public async Task Missing_credential_is_a_software_error()
    {
        var task = await Run("bitrix24.lead_add", AddParams("no-such-credential"), Lead);
        FailedWith(task, "bitrix24", "software", "credential_not_found");
    }
}
