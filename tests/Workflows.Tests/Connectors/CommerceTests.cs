using System.Text.Json.Nodes;
using Workflows.Simulators;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors;

public sealed class RetailCrmTests
{
    static JsonObject Create(string credential, string externalId) => new()
    {
        ["credential"] = credential,
        ["order"] = new JsonObject
        {
            ["externalId"] = externalId, ["firstName"] = "{{name}}", ["phone"] = "{{phone}}",
            ["items"] = new JsonArray(new JsonObject { ["productName"] = "Смеситель", ["initialPrice"] = 1500, ["quantity"] = 1 }),
        },
    };
    static JsonObject Data => new() { ["name"] = "Ivan", ["phone"] = "79161234567" };
    static string NewId() => "ext-" + Guid.NewGuid().ToString("n")[..8];

    [Test]
    public async Task Create_then_edit_then_set_status()
    {
        var ext = NewId();
        var created = await Run("retailcrm.order_create", Create("demo-retailcrm", ext), Data);
        Succeeded(created, "retailcrm");
        var id = (int)created["data"]!["crm_order_id"]!;
        Assert.That((string?)Sims.RetailCrm.Orders[id]["firstName"], Is.EqualTo("Ivan"));

        var edited = await Run("retailcrm.order_edit", new JsonObject { ["credential"] = "demo-retailcrm", ["order_id"] = ext, ["order"] = new JsonObject { ["customerComment"] = "call after 18:00" } });
        Succeeded(edited, "retailcrm");
        var status = await Run("retailcrm.order_status", new JsonObject { ["credential"] = "demo-retailcrm", ["order_id"] = "{{crm_id}}", ["by"] = "id", ["status"] = "confirmed" }, new JsonObject { ["crm_id"] = id });
        Succeeded(status, "retailcrm");
        Assert.That((string?)Sims.RetailCrm.Orders[id]["status"], Is.EqualTo("confirmed"));
        Assert.That((string?)Sims.RetailCrm.Orders[id]["customerComment"], Is.EqualTo("call after 18:00"));
    }

    [Test]
    public async Task Wrong_key_is_a_software_auth_error()
    {
        var task = await Run("retailcrm.order_create", Create("bad-retailcrm", NewId()), Data);
        FailedWith(task, "retailcrm", "software", "auth_failed");
        Assert.That(ErrorText(task, "retailcrm"), Does.Contain("Wrong \"apiKey\" value."));
    }

    [Test]
    public async Task Rate_limit_is_retried_then_created()
    {
        Sims.RetailCrm.FailNext = 2;
        var task = await Run("retailcrm.order_create", Create("demo-retailcrm", NewId()), Data);
        Succeeded(task, "retailcrm");
    }

    [Test]
    public async Task Duplicate_external_id_is_a_validation_error()
    {
        var ext = NewId();
        Succeeded(await Run("retailcrm.order_create", Create("demo-retailcrm", ext), Data), "retailcrm");
        var task = await Run("retailcrm.order_create", Create("demo-retailcrm", ext), Data);
        FailedWith(task, "retailcrm", "software", "validation_error");
        Assert.That(ErrorText(task, "retailcrm"), Does.Contain("externalId"));
    }

    [Test]
    public async Task Editing_a_missing_order_leaves_by_not_found()
    {
        var task = await Run("retailcrm.order_status", new JsonObject { ["credential"] = "demo-retailcrm", ["order_id"] = "nope", ["status"] = "new" }, null, "not_found");
        Assert.That((string?)task["node_id"], Is.EqualTo("not_found"));
    }
}

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
        var (conv, hash) = await TestHost.CreateProcess(Support.Processes.Single("shopscript.order_webhook", new JsonObject()));
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
