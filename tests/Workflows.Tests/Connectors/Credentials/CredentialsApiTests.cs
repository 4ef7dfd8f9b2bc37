using Workflows.Tests.Support;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Workflows.Connectors;
using Workflows.Engine.Nodes;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.Credentials;

public sealed class CredentialsApiTests
{
    [Test]
    public async Task List_gives_names_and_kinds_but_never_secrets()
    {
        await PutCredential("secret-check", "telegram", new Dictionary<string, string> { ["bot_token"] = "TOP-SECRET-TOKEN-123" });
        var text = await TestHost.Http.GetStringAsync("/api/credentials");
        Assert.That(text, Does.Not.Contain("TOP-SECRET-TOKEN-123"));
        Assert.That(text, Does.Not.Contain(Workflows.Simulators.TelegramSimulator.Token));
        var list = JsonNode.Parse(text)!.AsArray();
        var item = list.Single(c => (string?)c!["name"] == "secret-check")!;
        Assert.That((string?)item["kind"], Is.EqualTo("telegram"));
        Assert.That(item.AsObject().Select(kv => kv.Key), Is.EquivalentTo(new[] { "name", "kind", "updated_at", "fields", "values" }));
        Assert.That(item["fields"]!.AsArray().Select(f => (string?)f), Is.EqualTo(new[] { "bot_token" }));
        Assert.That(item["values"]!.AsObject(), Is.Empty);
    }

    [Test]
    public async Task A_patch_changes_some_fields_and_keeps_the_secret_that_was_not_typed_again()
    {
        await PutCredential("patch-me", "retailcrm", new Dictionary<string, string> { ["url"] = "https://one.example", ["api_key"] = "KEEP-THIS-KEY" });
        using var change = new StringContent("""{"fields":{"url":"https://two.example","site":"main"}}""", Encoding.UTF8, "application/json");
        using var response = await TestHost.Http.PatchAsync("/api/credentials/patch-me", change);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var stored = await TestHost.Get<Workflows.Connectors.Credentials.CredentialStore>().GetAsync("patch-me");
        Assert.That(stored!["api_key"], Is.EqualTo("KEEP-THIS-KEY"));
        Assert.That(stored["url"], Is.EqualTo("https://two.example"));
        // The list shows the URL (not secret) and that a key is set, never the key.
        var text = await TestHost.Http.GetStringAsync("/api/credentials");
        Assert.That(text, Does.Not.Contain("KEEP-THIS-KEY"));
        var item = JsonNode.Parse(text)!.AsArray().Single(c => (string?)c!["name"] == "patch-me")!;
        Assert.That((string?)item["values"]!["url"], Is.EqualTo("https://two.example"));
        Assert.That(item["fields"]!.AsArray().Select(f => (string?)f), Is.EqualTo(new[] { "api_key", "site", "url" }));
        using var nothing = new StringContent("""{"fields":{}}""", Encoding.UTF8, "application/json");
        using var missing = await TestHost.Http.PatchAsync("/api/credentials/no-such", nothing);
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task The_connection_test_calls_the_vendor_and_says_whether_the_key_was_accepted()
    {
        await PutCredential("crm-good", "retailcrm", new Dictionary<string, string> { ["url"] = Sims.RetailCrm.Url("/"), ["api_key"] = Workflows.Simulators.RetailCrmSimulator.ApiKey });
        await PutCredential("crm-bad", "retailcrm", new Dictionary<string, string> { ["url"] = Sims.RetailCrm.Url("/"), ["api_key"] = "wrong" });
        await PutCredential("bot", "telegram", new Dictionary<string, string> { ["bot_token"] = Workflows.Simulators.TelegramSimulator.Token, ["api_url"] = Sims.Telegram.Url("/") });
        await PutCredential("mail", "smtp", new Dictionary<string, string> { ["host"] = "127.0.0.1" });
        async Task<JsonNode> Test(string name)
        {
            using var response = await TestHost.Http.PostAsync($"/api/credentials/{name}/test", null);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }
        var good = await Test("crm-good");
        Assert.That((bool?)good["ok"], Is.True, good.ToJsonString());
        var bad = await Test("crm-bad");
        Assert.That((bool?)bad["ok"], Is.False);
        Assert.That((string?)bad["message"], Does.Contain("Wrong \"apiKey\" value"));
        var bot = await Test("bot");
        Assert.That((string?)bot["message"], Does.Contain("@demo_shop_bot"));
        var mail = await Test("mail");
        Assert.That((bool?)mail["ok"], Is.False);
        Assert.That((string?)mail["message"], Does.Contain("no connection test"));
    }

    [Test]
    public async Task Put_answers_field_names_only_and_the_table_holds_ciphertext()
    {
        var body = new JsonObject { ["kind"] = "sms", ["fields"] = new JsonObject { ["api_key"] = "PLAIN-API-KEY-456" } };
        using var response = await TestHost.Http.PutJsonAsync("/api/credentials/cipher-check", body.ToJsonString());
        var answer = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, answer);
        Assert.That(answer, Does.Not.Contain("PLAIN-API-KEY-456"));

        var options = TestHost.Get<Workflows.Engine.EngineOptions>();
        await using var connection = new SqliteConnection(options.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT secret FROM credentials WHERE name = 'cipher-check'";
        var stored = (string?)await command.ExecuteScalarAsync();
        Assert.That(stored, Is.Not.Null.And.Not.Contain("PLAIN-API-KEY-456"));
    }

    [Test]
    public async Task Rotation_and_delete()
    {
        await PutCredential("rotate-me", "smtp", new Dictionary<string, string> { ["password"] = "one" });
        await PutCredential("rotate-me", "smtp", new Dictionary<string, string> { ["password"] = "two" });
        var stored = await TestHost.Get<Workflows.Connectors.Credentials.CredentialStore>().GetAsync("rotate-me");
        Assert.That(stored!["password"], Is.EqualTo("two"));
        using var deleted = await TestHost.Http.DeleteAsync("/api/credentials/rotate-me");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var again = await TestHost.Http.DeleteAsync("/api/credentials/rotate-me");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("{\"fields\":{}}")]
    [TestCase("{\"kind\":\"x\"}")]
    [TestCase("not json")]
    public async Task Bad_bodies_are_refused(string body)
    {
        using var response = await TestHost.Http.PutJsonAsync("/api/credentials/bad-body", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Connector_nodes_are_in_the_palette()
    {
        var catalog = TestHost.Get<NodeCatalog>();
        Assert.That(catalog.Names, Is.SupersetOf(new[]
        {
            "bitrix24.lead_add", "bitrix24.lead_update", "bitrix24.lead_get", "bitrix24.contact_find", "voximplant.start_scenario",
            "telegram.send_message", "sms.send", "email.send", "retailcrm.order_create", "retailcrm.order_edit", "retailcrm.order_status",
            "moysklad.stock", "moysklad.reserve", "shopscript.order_webhook",
        }));
        Assert.That(catalog.All.Where(t => t.Name.Contains('.', StringComparison.Ordinal)).Select(t => t.Description.Category), Is.All.EqualTo("connectors"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task Bitrix24_bucket_overflows_with_query_limit_exceeded()
    {
        await using var sim = new Workflows.Simulators.Bitrix24Simulator { BucketCapacity = 3, BucketDrainPerSecond = 0.001 };
        await sim.StartAsync();
        using var http = new HttpClient();
        var url = sim.Url($"/rest/1/{Workflows.Simulators.Bitrix24Simulator.WebhookCode}/crm.lead.get?id=1");
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++) { using var r = await http.GetAsync(url); statuses.Add((int)r.StatusCode); }
        Assert.That(statuses, Is.EqualTo(new[] { 400, 400, 400, 503 }));
    }

    [Test]
    public void Discovery_finds_connector_types_in_extra_assemblies()
    {
        var types = ConnectorsSetup.Discover([typeof(ConnectorsSetup).Assembly, typeof(CredentialsApiTests).Assembly]);
        Assert.That(types, Does.Contain(typeof(ExampleGreetingNode)));
        Assert.That(types, Does.Not.Contain(typeof(ApiCallNode)));
    }

    [Test]
    public void Every_connector_node_type_of_the_assembly_is_registered()
    {
        var registered = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddConnectorNodes()
            .Select(d => d.ImplementationType).ToList();
        Assert.That(registered, Is.EquivalentTo(ConnectorsSetup.Discover([typeof(ConnectorsSetup).Assembly])),
            "a connector node type is registered with one line in ConnectorsSetup.AddConnectorNodes");
    }
}
