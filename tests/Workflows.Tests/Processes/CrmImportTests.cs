using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Workflows.Simulators;

namespace Workflows.Tests.Processes;

/// <summary>The shop CRM's export behind the documented JSON wrapper: {"xml": "..."} (or an error status).</summary>
public sealed class CrmExportSimulator : HttpSimulator
{
    public string Xml { get; set; } = "<orders/>";
    public JsonArray? Orders { get; set; }
    public int Status { get; set; } = 200;

    protected override void Map(WebApplication app) =>
        app.MapGet("/crm-export.php", () => Status != 200
            ? Results.Text("<html>Not Found</html>", "text/html", statusCode: Status)
            : Json(Orders is null ? new JsonObject { ["xml"] = Xml } : new JsonObject { ["orders"] = Orders.DeepClone() }));
}

/// <summary>Seed 002: twice-daily CRM import, status mapping and order ↔ call/chat attribution.</summary>
public sealed class CrmImportTests : TemplateFixture
{
    const long Import = 14001, Attribution = 14002, Touchpoints = 14003;
    CrmExportSimulator _export = null!;

    [OneTimeSetUp]
    public async Task StartExport()
    {
        _export = new CrmExportSimulator();
        await _export.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopExport() => await _export.DisposeAsync();

    async Task<JsonNode> RunImport(int scheduleIndex)
    {
        var schedule = (await Server.GetJson($"/api/processes/{Import}/export"))["schedules"]![scheduleIndex]!;
        var data = schedule["data"]!.DeepClone().AsObject();
        data["export_url"] = _export.Url("/crm-export.php");
        data["scheduled_at"] = Clock.UtcNow.ToUnixTimeSeconds();
        return await Server.WaitFor(await Create(Import, data));
    }

    [Test, Order(1)]
    public async Task The_import_runs_at_09_00_and_21_00_Moscow_time()
    {
        var schedules = (await Server.GetJson($"/api/processes/{Import}/export"))["schedules"]!.AsArray();
        Assert.That(schedules.Select(s => (string?)s!["cron"]), Is.EqualTo(new[] { "0 0 9 * * ?", "0 0 21 * * ?" }));
        Assert.That(schedules.Select(s => (string?)s!["time_zone"]), Is.All.EqualTo("Europe/Moscow"));
    }

    [Test, Order(2)]
    public async Task Orders_are_imported_mapped_and_linked_to_the_call_or_chat_they_came_from()
    {
        var call = await Create(Touchpoints, J("""{"channel":"call","source":"yandex-direct","campaign":"watches-autumn","phone":"79161112233"}"""), "phone-79161112233");
        var chat = await Create(Touchpoints, J("""{"channel":"chat","source":"google-ads","email":"anna@example.com"}"""), "email-anna@example.com");
        await WaitInNode(call, "open", "waiting");
        await WaitInNode(chat, "open", "waiting");

        _export.Xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <orders>
              <order><number>A-1</number><status>Выполнен</status><name>Иван</name><phone>8 (916) 111-22-33</phone><email></email><total>5000</total></order>
              <order><number>A-2</number><status>Отменен</status><name><![CDATA[Анна & Co]]></name><phone></phone><email>Anna@Example.com</email><total>1200</total></order>
              <order><number>A-3</number><status>Новый</status><name>Олег</name><phone>9160000000</phone><email>oleg@example.com</email><total>700</total></order>
              <order><status>Новый</status></order>
            </orders>
            """;
        var import = await RunImport(0);
        Assert.That((string?)import["node_id"], Is.EqualTo("imported"), import.ToJsonString());
        var orders = import["data"]!["orders"]!.AsArray();
        Assert.That(orders.Select(o => (string?)o!["tracker_status"]), Is.EqualTo(new[] { "sale", "lost", "new" }));
        Assert.That((string?)orders[1]!["name"], Is.EqualTo("Анна & Co"));
        Assert.That(Data(import, "skipped"), Is.EqualTo("1"));

        var a1 = await Finished(await TaskIdByRef(Attribution, "A-1"), "attributed");
        Assert.That((Data(a1, "channel"), Data(a1, "source"), Data(a1, "campaign")), Is.EqualTo(("call", "yandex-direct", "watches-autumn")));
        var a2 = await Finished(await TaskIdByRef(Attribution, "A-2"), "attributed");
        Assert.That((Data(a2, "channel"), Data(a2, "source")), Is.EqualTo(("chat", "google-ads")));
        var a3 = await Finished(await TaskIdByRef(Attribution, "A-3"), "unattributed");
        Assert.That(Data(a3, "source"), Is.EqualTo("direct"));

        var touch = await WaitInNode(call, "open", "waiting");
        Assert.That(Data(touch, "revenue"), Is.EqualTo("5000"));
        Assert.That((string?)touch["data"]!["orders"]!["A-1"]!["crm_status"], Is.EqualTo("Выполнен"));

        // The evening import (JSON variant of the export): A-2 reordered and paid, a new order by the same caller.
        _export.Orders = JsonNode.Parse("""[{"number":"A-2","status":"Оплачен","email":"anna@example.com","total":1500},{"number":"A-4","status":"Выполнен","phone":"+7 916 111 22 33","total":2500}]""")!.AsArray();
        try
        {
            Assert.That((string?)(await RunImport(1))["node_id"], Is.EqualTo("imported"));
            await Finished(await TaskIdByRef(Attribution, "A-4"), "attributed");
            Assert.That((await Tasks(Attribution, "A-2")).Count, Is.EqualTo(2), "a second attribution for the re-imported order");
            await Finished(await TaskIdByRef(Attribution, "A-2"), "attributed");
            Assert.That(Data(await WaitInNode(call, "open", "waiting"), "revenue"), Is.EqualTo("7500"));
            Assert.That(Data(await WaitInNode(chat, "open", "waiting"), "revenue"), Is.EqualTo("1500"));
        }
        finally { _export.Orders = null; }
    }

    [Test, Order(3)]
    public async Task An_unreachable_export_is_reported_in_Telegram()
    {
        _export.Status = 404;
        try
        {
            var import = await RunImport(0);
            Assert.That((string?)import["node_id"], Is.EqualTo("failed"));
            var alert = SentWith(Sims.Telegram, "text", "CRM import failed").Single();
            Assert.That((string?)alert["chat_id"], Is.EqualTo("-1001000000070"));
            Assert.That((string?)alert["text"], Does.Contain("404"));
        }
        finally { _export.Status = 200; }
    }

    [Test, Order(4)]
    public async Task An_export_without_orders_is_reported_too()
    {
        var answer = await Server.WaitFor(await Create(Import, new JsonObject { ["export_url"] = _export.Url("/sent") }));
        Assert.That((string?)answer["node_id"], Is.EqualTo("failed"));
        Assert.That(SentWith(Sims.Telegram, "text", "neither an xml text nor an orders list"), Has.Count.EqualTo(1));
    }
}
