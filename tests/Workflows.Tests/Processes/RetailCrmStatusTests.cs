using System.Text.Json.Nodes;
using Workflows.Simulators;

namespace Workflows.Tests.Processes;

/// <summary>Seed 004: RetailCRM status matrix for the plumbing shop, every branch.</summary>
public sealed class RetailCrmStatusTests : TemplateFixture
{
    const long Process = 15001;
    const string Tap = "8f1a2b3c-0000-4000-8000-00000000a001";     // 12 in stock
    const string Toilet = "8f1a2b3c-0000-4000-8000-00000000a002";  // 3 in stock

    async Task<string> Change(string orderId, string status, string previous, string role, string phone, string district = "Северный", JsonArray? items = null)
    {
        if (!Sims.RetailCrm.Orders.Values.Any(o => o["externalId"]?.ToString() == orderId))
            await Sims.RetailCrm.CreateRetailCrmOrder(new JsonObject { ["externalId"] = orderId, ["firstName"] = "Ирина", ["phone"] = phone, ["status"] = previous });
        return await Create(Process, new JsonObject
        {
            ["order_id"] = orderId, ["status"] = status, ["previous_status"] = previous,
            ["changed_by"] = new JsonObject { ["role"] = role, ["name"] = role == "fitter" ? "Мастер Николай" : "Оператор Анна" },
            ["customer"] = new JsonObject { ["name"] = "Ирина", ["phone"] = phone, ["email"] = $"{orderId.ToLowerInvariant()}@example.com" },
            ["district"] = district, ["address"] = "ул. Северная, 1",
            ["items"] = items ?? new JsonArray(new JsonObject { ["product_id"] = Tap, ["quantity"] = 2, ["price"] = 4990 }),
        });
    }

    [Test]
    public async Task A_new_order_notifies_the_customer_and_gets_an_operator()
    {
        var task = await Finished(await Change("P-1", "new", "new", "system", "8 916 800-00-01"), "operator_assigned");
        Assert.That((string?)SentWith(Sims.Sms, "to", "79168000001").Single()["text"], Is.EqualTo("Заказ P-1 получен. Оператор свяжется с вами в ближайшее время."));
        var mail = (await Mails("Заказ P-1 получен")).Single();
        Assert.That((string?)mail["to"]![0], Is.EqualTo("p-1@example.com"));
        Assert.That(Subject(mail), Is.EqualTo("Заказ P-1: new"));
        Assert.That(Sims.RetailCrm.OrderByExternalId("P-1")["managerId"]!.ToString(), Is.EqualTo(Data(task, "operator_id")));
        Assert.That(new[] { "11", "12", "13" }, Does.Contain(Data(task, "operator_id")));
    }

    [Test]
    public async Task Confirmed_checks_stock_reserves_in_MoySklad_and_assigns_the_fitter_of_the_district()
    {
        var before = Sims.MoySklad.Products[Tap].Available;
        var task = await Finished(await Change("P-2", "confirmed", "new", "operator", "79168000002"), "fitter_assigned");
        Assert.That(Sims.MoySklad.Products[Tap].Available, Is.EqualTo(before - 2));
        var order = Sims.RetailCrm.OrderByExternalId("P-2");
        Assert.That((string?)order["customFields"]!["fitter"], Is.EqualTo("Николай"));
        Assert.That((string?)order["customFields"]!["moysklad_order"], Is.EqualTo((string?)task["data"]!["moysklad_order"]!["name"]).And.Not.Empty);
        var toFitter = SentWith(Sims.Telegram, "text", "Новый заказ P-2").Single();
        Assert.That((string?)toFitter["chat_id"], Is.EqualTo("-1001000000062"));
        Assert.That((string?)SentWith(Sims.Sms, "to", "79168000002").Single()["text"], Does.Contain("подтверждён"));
        Assert.That(await Mails("Заказ P-2 подтверждён"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Confirmed_without_stock_is_rescheduled_and_the_operators_are_told()
    {
        var items = new JsonArray(new JsonObject { ["product_id"] = Tap, ["quantity"] = 1 }, new JsonObject { ["product_id"] = Toilet, ["quantity"] = 50 });
        await Finished(await Change("P-3", "confirmed", "new", "operator", "79168000003", items: items), "out_of_stock");
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId("P-3")["status"], Is.EqualTo("rescheduled"));
        Assert.That((string?)SentWith(Sims.Telegram, "text", "P-3").Single()["text"], Does.Contain("нет на складе «Унитаз подвесной»"));
        Assert.That(Sims.MoySklad.Products[Toilet].Reserve, Is.EqualTo(0));
    }

    [TestCase("P-4", "accepted", "fitter")]
    [TestCase("P-5", "done", "fitter")]
    [TestCase("P-6", "rescheduled", "fitter")]
    [TestCase("P-7", "rescheduled", "operator")]
    [TestCase("P-8", "no-answer", "operator")]
    public async Task Allowed_changes_notify_the_customer_by_SMS_and_e_mail(string orderId, string status, string role)
    {
        var phone = "7916810000" + orderId[^1];
        await Finished(await Change(orderId, status, "confirmed", role, phone), "notified");
        Assert.That(SentWith(Sims.Sms, "to", phone), Has.Count.EqualTo(1));
        Assert.That((await Mails($"Заказ {orderId}")).Select(Subject), Does.Contain($"Заказ {orderId}: {status}"));
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId(orderId)["status"], Is.EqualTo("confirmed"), "the status stays as the CRM has it");
    }

    [TestCase("P-9", "done", "operator")]
    [TestCase("P-10", "confirmed", "fitter")]
    [TestCase("P-11", "accepted", "operator")]
    public async Task A_status_the_role_may_not_set_is_reverted_and_reported(string orderId, string status, string role)
    {
        var phone = "791682000" + orderId[^2..].Replace("-", "0");
        await Finished(await Change(orderId, status, "new", role, phone), "forbidden");
        var order = Sims.RetailCrm.OrderByExternalId(orderId);
        Assert.That((string?)order["status"], Is.EqualTo("new"));
        Assert.That((string?)order["managerComment"], Does.StartWith($"Статус «{status}» не может ставить {role}"));
        Assert.That((string?)SentWith(Sims.Telegram, "text", $"Заказ {orderId}:").Single()["chat_id"], Is.EqualTo("-1001000000050"));
        Assert.That(SentWith(Sims.Sms, "to", phone), Is.Empty, "no customer notice for a reverted change");
    }
}
