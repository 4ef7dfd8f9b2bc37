using System.Text.Json.Nodes;
using Workflows.Simulators;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.MoySklad;

public sealed class MoySkladTests
{
    const string Mixer = "8f1a2b3c-0000-4000-8000-00000000a001";

    [Test]
    public async Task Stock_then_reserve_lowers_what_is_available()
    {
        Sims.MoySklad.AddProduct("8f1a2b3c-0000-4000-8000-00000000b001", "Ванна", 5);
        var stock = await Run("moysklad.stock", new JsonObject { ["credential"] = "demo-moysklad", ["product_id"] = "{{product}}" }, new JsonObject { ["product"] = "8f1a2b3c-0000-4000-8000-00000000b001" }, "out_of_stock");
        Succeeded(stock, "moysklad");
        Assert.That((double)stock["data"]!["stock"]!["available"]!, Is.EqualTo(5));

        var reserve = await Run("moysklad.reserve", new JsonObject { ["credential"] = "demo-moysklad", ["product_id"] = "8f1a2b3c-0000-4000-8000-00000000b001", ["quantity"] = "{{qty}}", ["price"] = "1999.50" }, new JsonObject { ["qty"] = 5 });
        Succeeded(reserve, "moysklad");
        Assert.That((string?)reserve["data"]!["moysklad_order"]!["name"], Is.Not.Empty);

        var after = await Run("moysklad.stock", new JsonObject { ["credential"] = "demo-moysklad", ["product_id"] = "8f1a2b3c-0000-4000-8000-00000000b001" }, null, "out_of_stock");
        Assert.That((string?)after["node_id"], Is.EqualTo("out_of_stock"));
        Assert.That((double)after["data"]!["stock"]!["reserve"]!, Is.EqualTo(5));
    }

    [Test]
    public async Task Wrong_token_is_a_software_auth_error()
    {
        var task = await Run("moysklad.stock", new JsonObject { ["credential"] = "bad-moysklad", ["product_id"] = Mixer }, null, "out_of_stock");
        FailedWith(task, "moysklad", "software", "auth_failed");
        Assert.That(ErrorText(task, "moysklad"), Does.Contain("1056"));
    }

    [Test]
    public async Task Rate_limit_is_retried_then_answers()
    {
        Sims.MoySklad.FailNext = 2;
        var task = await Run("moysklad.stock", new JsonObject { ["credential"] = "demo-moysklad", ["product_id"] = Mixer }, null, "out_of_stock");
        Succeeded(task, "moysklad");
    }

    [Test]
    public async Task Missing_counterparty_is_a_validation_error()
    {
        await PutCredential("moysklad-no-agent", "moysklad", new Dictionary<string, string>
        {
            ["url"] = $"{Sims.MoySklad.Base}/api/remap/1.2", ["token"] = MoySkladSimulator.Token, ["organization_id"] = MoySkladSimulator.Organization,
        });
        var task = await Run("moysklad.reserve", new JsonObject { ["credential"] = "moysklad-no-agent", ["product_id"] = Mixer });
        FailedWith(task, "moysklad", "software", "validation_error");
        Assert.That(ErrorText(task, "moysklad"), Does.Contain("agent"));
    }
}
