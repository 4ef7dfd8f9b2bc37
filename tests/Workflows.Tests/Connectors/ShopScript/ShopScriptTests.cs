using System.Text.Json.Nodes;
using Workflows.Simulators;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.ShopScript;

public sealed class ShopScriptTests
{
    [Test]
    public async Task Notification_template_body_is_normalised()
    {
        var body = new JsonObject
        {
            ["order_id"] = "42", ["state_id"] = "new", ["total"] = "3000.00", ["currency"] = "RUB",
            ["customer_name"] = "Ivan &amp; Co", ["customer_email"] = "ivan@example.com", ["customer_phone"] = "+7 (916) 123-45-67",
            ["items"] = "[{\"name\":\"Filter &quot;Aqua&quot;\",\"sku_code\":\"F-1\",\"product_id\":\"11\",\"quantity\":\"2\",\"price\":\"1500\"}]",
        };
        var task = await Run("shopscript.order_webhook", new JsonObject(), body);
        Succeeded(task, "shopscript");
        var order = task["data"]!["order"]!;
        Assert.That((string?)order["id"], Is.EqualTo("42"));
        Assert.That((double)order["total"]!, Is.EqualTo(3000));
        Assert.That((string?)order["customer"]!["name"], Is.EqualTo("Ivan & Co"));
        Assert.That((string?)order["customer"]!["phone"], Is.EqualTo("79161234567"));
        Assert.That((string?)order["items"]![0]!["name"], Is.EqualTo("Filter \"Aqua\""));
        Assert.That((double)order["items"]![0]!["quantity"]!, Is.EqualTo(2));
    }

    [Test]
    public async Task GetInfo_shape_with_id_keyed_items_is_normalised()
    {
        var body = new JsonObject
        {
            ["webhook"] = new JsonObject
            {
                ["id"] = 7, ["state_id"] = "paid", ["total"] = 500, ["currency"] = "RUB",
                ["contact"] = new JsonObject { ["id"] = 3, ["name"] = "Anna", ["email"] = "anna@example.com", ["phone"] = "79005550001" },
                ["items"] = new JsonObject { ["91"] = new JsonObject { ["name"] = "Cartridge", ["quantity"] = 1, ["price"] = 500 } },
            },
        };
        var task = await Run("shopscript.order_webhook", new JsonObject { ["source_path"] = "webhook" }, body);
        Succeeded(task, "shopscript");
        Assert.That((string?)task["data"]!["order"]!["status"], Is.EqualTo("paid"));
        Assert.That((string?)task["data"]!["order"]!["items"]![0]!["name"], Is.EqualTo("Cartridge"));
    }

    [Test]
    public async Task Webhook_fired_by_the_simulator_creates_a_task_with_the_normalised_order()
    {
        var (conv, hash) = await TestHost.CreateProcess(Support.TestProcesses.Single("shopscript.order_webhook", new JsonObject()));
        var answer = await Sims.ShopScript.FireWebhookAsync(new Uri(TestHost.BaseAddress, $"/api/1/json/public/{conv}/{hash}").ToString(), "101");
        var id = (string)answer!["ops"]![0]!["obj_id"]!;
        var task = await TestHost.WaitFor(id);
        Succeeded(task, "shopscript");
        var order = task["data"]!["order"]!;
        Assert.That((string?)order["customer"]!["phone"], Is.EqualTo("79161234567"));
        Assert.That((string?)order["items"]![0]!["name"], Is.EqualTo("Картридж \"Аква\""));
        Assert.That((double)order["total"]!, Is.EqualTo(3000));
        Assert.That((string?)task["ref"], Is.EqualTo("shop-order-101"));
    }

    [Test]
    public async Task Body_without_an_order_id_is_a_software_error()
    {
        var task = await Run("shopscript.order_webhook", new JsonObject(), new JsonObject { ["total"] = 1 });
        FailedWith(task, "shopscript", "software", "bad_webhook");
    }
}
