using System.Text.Json.Nodes;
using Workflows.Simulators;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors;

/// <summary>The seed-004 nodes: MoySklad products by code, stock pages and order states; RetailCRM order reads and catalogue batches.</summary>
public sealed class CatalogueAndStateTests
{
    [Test]
    public async Task Products_are_found_by_external_code_and_unknown_codes_leave_by_not_found()
    {
        var found = await Run("moysklad.find_products", new JsonObject { ["credential"] = "demo-moysklad", ["codes"] = "{{codes}}" },
            new JsonObject { ["codes"] = new JsonArray("SEAT-04", "WC-WALL-02") }, "not_found");
        Succeeded(found, "moysklad");
        var products = found["data"]!["products"]!.AsArray();
        Assert.That(products.Select(p => (string?)p!["external_code"]), Is.EqualTo(new[] { "SEAT-04", "WC-WALL-02" }));
        Assert.That((double?)products[0]!["price"], Is.EqualTo(2490));
        var missing = await Run("moysklad.find_products", new JsonObject { ["credential"] = "demo-moysklad", ["codes"] = "SEAT-04, NOPE" }, null, "not_found");
        Assert.That((string?)missing["node_id"], Is.EqualTo("not_found"));
        Assert.That(missing["data"]!["missing_codes"]!.ToJsonString(), Is.EqualTo("[\"NOPE\"]"));
    }

    [Test]
    public async Task MoySklad_nodes_report_auth_failures_and_retry_rate_limits()
    {
        FailedWith(await Run("moysklad.find_products", new JsonObject { ["credential"] = "bad-moysklad", ["codes"] = "SEAT-04" }, null, "not_found"), "moysklad", "software", "auth_failed");
        Sims.MoySklad.FailNext = 2;
        var page = await Run("moysklad.stock_report", new JsonObject { ["credential"] = "demo-moysklad", ["limit"] = 2 });
        Succeeded(page, "moysklad");
        Assert.That(page["data"]!["stock_rows"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That((int?)page["data"]!["next_offset"], Is.EqualTo(2));
    }

    [Test]
    public async Task An_order_state_that_MoySklad_does_not_have_is_a_validation_error_naming_the_states()
    {
        var reserve = await Run("moysklad.reserve", new JsonObject { ["credential"] = "demo-moysklad", ["product_id"] = "8f1a2b3c-0000-4000-8000-00000000a004", ["quantity"] = "1", ["name"] = "STATE-1" });
        Succeeded(reserve, "moysklad");
        var bad = await Run("moysklad.order_state", new JsonObject { ["credential"] = "demo-moysklad", ["order"] = "STATE-1", ["state"] = "Потерян" }, null, "unchanged", "not_found");
        FailedWith(bad, "moysklad", "software", "validation_error");
        Assert.That(ErrorText(bad, "moysklad"), Does.Contain("no customer-order state 'Потерян'").And.Contain("Подтвержден"));
        var none = await Run("moysklad.order_state", new JsonObject { ["credential"] = "demo-moysklad", ["order"] = "NO-SUCH-ORDER", ["state"] = "Новый" }, null, "unchanged", "not_found");
        Assert.That((string?)none["node_id"], Is.EqualTo("not_found"));
    }

    [Test]
    public async Task RetailCRM_order_get_and_catalogue_upload_report_failures()
    {
        FailedWith(await Run("retailcrm.order_get", new JsonObject { ["credential"] = "bad-retailcrm", ["order_id"] = "x" }, null, "not_found"), "retailcrm", "software", "auth_failed");
        var missing = await Run("retailcrm.order_get", new JsonObject { ["credential"] = "demo-retailcrm", ["order_id"] = "no-such-order" }, null, "not_found");
        Assert.That((string?)missing["node_id"], Is.EqualTo("not_found"));
        var noCode = await Run("retailcrm.catalogue_upload", new JsonObject { ["credential"] = "demo-retailcrm", ["offers"] = "{{offers}}" },
            new JsonObject { ["offers"] = new JsonArray(new JsonObject { ["name"] = "без кода" }) });
        FailedWith(noCode, "retailcrm", "software", "validation_error");
        Assert.That(ErrorText(noCode, "retailcrm"), Does.Contain("offer 1 has no external_code"));
        Sims.RetailCrm.FailNext = 2;
        var uploaded = await Run("retailcrm.catalogue_upload", new JsonObject { ["credential"] = "demo-retailcrm", ["offers"] = "{{offers}}" },
            new JsonObject { ["offers"] = new JsonArray(new JsonObject { ["external_code"] = "CAT-T-1", ["name"] = "Тест", ["price"] = 10, ["available"] = 3 }) });
        Succeeded(uploaded, "retailcrm");
        Assert.That((int?)uploaded["data"]!["catalogue_upload"]!["created"], Is.EqualTo(1));
        Assert.That(Sims.RetailCrm.Offers["CAT-T-1"].Quantity, Is.EqualTo(3));
    }
}
