using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Connectors.Credentials;
using Workflows.Server.Demo;
using Workflows.Simulators;
using Workflows.Tests.Support;

namespace Workflows.Tests.Connectors;

/// <summary>
/// One server and one set of vendor simulators for all connector tests, with short retry delays.
/// Credentials: the demo ones (demo-*) plus bad-* ones with wrong secrets.
/// </summary>
[SetUpFixture]
public sealed class ConnectorsEnvironment
{
    public static TestServer TestHost { get; private set; } = null!;
    public static SimulatorSet Sims { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        Sims = await SimulatorSet.StartAsync();
        Sims.VoxImplant.CallbackDelay = TimeSpan.FromMilliseconds(100);
        Sims.Beeline.EventDelay = TimeSpan.FromMilliseconds(20);
        TestHost = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Workflows:Connectors:RetryAttempts"] = "3",
            ["Workflows:Connectors:RetryBaseDelayMs"] = "5",
            ["Workflows:Connectors:RetryMaxDelayMs"] = "20",
            ["Workflows:Connectors:TimeoutMs"] = "5000",
        });
        foreach (var c in DemoMode.CredentialsFor(Sims)) await PutCredential(c.Name, c.Kind, c.Fields);
        await PutCredential("bad-bitrix24", "bitrix24", new Dictionary<string, string> { ["webhook_url"] = $"{Sims.Bitrix24.Base}/rest/1/wrong-code/" });
        await PutCredential("bad-voximplant", "voximplant", new Dictionary<string, string> { ["api_url"] = $"{Sims.VoxImplant.Base}/platform_api", ["account_id"] = VoxImplantSimulator.AccountId, ["api_key"] = "wrong" });
        await PutCredential("bad-telegram", "telegram", new Dictionary<string, string> { ["api_url"] = Sims.Telegram.Base, ["bot_token"] = "1:wrong" });
        await PutCredential("bad-sms", "sms", new Dictionary<string, string> { ["url"] = $"{Sims.Sms.Base}/sms/send", ["api_key"] = "wrong" });
        await PutCredential("bad-smtp", "smtp", new Dictionary<string, string> { ["host"] = "127.0.0.1", ["port"] = Sims.Smtp.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ["username"] = SmtpSimulator.User, ["password"] = "wrong", ["from"] = SmtpSimulator.User, ["enable_ssl"] = "false" });
        await PutCredential("bad-retailcrm", "retailcrm", new Dictionary<string, string> { ["url"] = Sims.RetailCrm.Base, ["api_key"] = "wrong" });
        await PutCredential("bad-beeline", "beeline", new Dictionary<string, string> { ["url"] = $"{Sims.Beeline.Base}/apis/portal", ["token"] = "wrong" });
        await PutCredential("bad-moysklad", "moysklad", new Dictionary<string, string> { ["url"] = $"{Sims.MoySklad.Base}/api/remap/1.2", ["token"] = "wrong" });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await TestHost.DisposeAsync();
        await Sims.DisposeAsync();
    }

    public static async Task PutCredential(string name, string kind, IReadOnlyDictionary<string, string> fields)
    {
        var body = new JsonObject { ["kind"] = kind, ["fields"] = new JsonObject(fields.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))) };
        using var response = await TestHost.Http.PutJsonAsync($"/api/credentials/{name}", body.ToJsonString());
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Runs one node (start → node → finals ok / err) for a task with the given data; answers the finished task.</summary>
    public static async Task<JsonNode> Run(string type, JsonObject parameters, JsonObject? data = null, params string[] outcomes)
    {
        var exits = new JsonObject { ["next"] = "ok", ["error"] = "err" };
        var finals = new List<JsonObject> { TestProcesses.Final("ok"), TestProcesses.Final("err", "error") };
        foreach (var outcome in outcomes)
        {
            exits[outcome] = outcome;
            finals.Add(TestProcesses.Final(outcome));
        }
        var definition = TestProcesses.Definition($"single {type}",
            [TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "n" }), TestProcesses.Node("n", type, parameters, exits), .. finals]);
        var (conv, hash) = await TestHost.CreateProcess(definition);
        var id = await TestHost.CreateTask(conv, hash, data ?? []);
        return await TestHost.WaitFor(id);
    }

    public static string? Tag(JsonNode task, string vendor) => (string?)task["data"]![$"__conveyor_{vendor}_return_type_tag__"];
    public static string? ErrorType(JsonNode task, string vendor) => (string?)task["data"]![$"__conveyor_{vendor}_return_type_error__"];
    public static string? ErrorText(JsonNode task, string vendor) => (string?)task["data"]![$"__conveyor_{vendor}_return_description__"];

    public static void Succeeded(JsonNode task, string vendor) =>
        Assert.That((string?)task["result"], Is.EqualTo("success"), $"{Tag(task, vendor)}: {ErrorText(task, vendor)}");

    public static void FailedWith(JsonNode task, string vendor, string type, string tag)
    {
        Assert.That((string?)task["result"], Is.EqualTo("error"), task.ToJsonString());
        Assert.That(ErrorType(task, vendor), Is.EqualTo(type), ErrorText(task, vendor));
        Assert.That(Tag(task, vendor), Is.EqualTo(tag), ErrorText(task, vendor));
    }

    public static async Task<JsonArray> SentBy(HttpSimulator sim)
    {
        using var http = new HttpClient();
        return (await http.GetFromJsonAsync<JsonArray>(sim.Url("/sent")))!;
    }
}
