using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;

namespace Workflows.Tests.Api;

/// <summary>The management API's Corezoid import: real exports become processes; what cannot convert is listed per node.</summary>
public sealed class ImportApiTests(string store) : OnBothStores(store)
{
    TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync(store: Store);

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    static string Export(string name)
    {
        var root = TestContext.CurrentContext.TestDirectory;
        while (!File.Exists(Path.Combine(root, "Workflows.sln"))) root = Path.GetDirectoryName(root)!;
        var file = Path.Combine(root, "..", "shared", "corezoid", name);
        if (!File.Exists(file)) Assert.Ignore($"the Corezoid exports are not beside the repository ({file})");
        return File.ReadAllText(file);
    }

    async Task<(HttpStatusCode, JsonNode)> Import(string body)
    {
        using var response = await _server.Http.PostAsync("/api/import/corezoid", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Test]
    public async Task A_real_export_becomes_a_running_process()
    {
        var (status, answer) = await Import(Export("api-post.json"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var process = answer["processes"]!.AsArray().First()!;
        Assert.That((bool?)process["created"], Is.True, answer.ToJsonString());
        var convId = (long)process["process"]!["conv_id"]!;
        var stored = await _server.GetJson($"/api/processes/{convId}");
        Assert.That(stored["definition"]!["nodes"]!.AsArray().Select(n => (string?)n!["type"]), Does.Contain("api").And.Contain("start"));
    }

    [Test]
    public async Task Every_real_export_imports_or_names_what_stops_it()
    {
        foreach (var name in new[] { "api-post.json", "gpt-calculator.json", "stripe-checkout.json", "sample_user_export.json" })
        {
            var (status, answer) = await Import(Export(name));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), name);
            foreach (var process in answer["processes"]!.AsArray())
            {
                if ((bool)process!["created"]!) continue;
                // Not created: every reason names its node and field.
                Assert.That(process["errors"]!.AsArray(), Is.Not.Empty, $"{name}: {process.ToJsonString()}");
                Assert.That(process["errors"]!.AsArray().Select(e => (string?)e!["message"]), Has.All.Not.Empty);
            }
        }
    }

    [TestCase("")]
    [TestCase("{\"not\":\"an export\"}")]
    [TestCase("[1,2")]
    public async Task Something_that_is_not_an_export_is_a_400(string body)
    {
        var (status, problem) = await Import(body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)problem["detail"], Is.Not.Empty);
    }
}
