using System.Text.Json.Nodes;
using Workflows.Simulators;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.RetailCrm;

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
