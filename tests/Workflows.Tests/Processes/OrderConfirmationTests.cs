using System.Text.Json.Nodes;
using Workflows.Simulators;

namespace Workflows.Tests.Processes;

/// <summary>Seed 003: robot confirmation call for a new order, every branch.</summary>
public sealed class OrderConfirmationTests : TemplateFixture
{
    const long Process = 13001;

    async Task<string> NewOrder(string orderId, string phone)
    {
        await Sims.RetailCrm.CreateRetailCrmOrder(new JsonObject { ["externalId"] = orderId, ["firstName"] = "Мария", ["phone"] = phone, ["status"] = "new" });
        return await Create(Process, new JsonObject
        {
            ["order_id"] = orderId, ["phone"] = phone, ["address"] = "Москва, ул. Лесная, 5", ["delivery_date"] = "25.11.2026", ["delivery_interval"] = "10:00-14:00",
        }, orderId);
    }

    [Test]
    public async Task A_confirmed_order_gets_the_CRM_status_and_an_SMS()
    {
        var id = await NewOrder("U-1001", "8 916 700-00-04");
        var task = await Finished(id, "confirmed");
        Assert.That(Data(task, "attempts"), Is.EqualTo("1"));
        var started = Sims.VoxImplant.Started.Single(s => s["script_custom_data"]!.ToString().Contains("U-1001"));
        Assert.That(JsonNode.Parse(started["script_custom_data"]!.ToString())!["phone"]!.ToString(), Is.EqualTo("79167000004"));
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId("U-1001")["status"], Is.EqualTo("confirmed"));
        Assert.That((string?)SentWith(Sims.Sms, "to", "79167000004").Single()["text"],
            Is.EqualTo("Заказ U-1001 подтверждён. Доставка 25.11.2026 10:00-14:00 по адресу: Москва, ул. Лесная, 5."));
    }

    [Test]
    public async Task A_change_request_is_handed_over_to_an_operator()
    {
        Sims.VoxImplant.Outcomes["79167000005"] = "change_request";
        var id = await NewOrder("U-1002", "79167000005");
        await Finished(id, "operator");
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId("U-1002")["status"], Is.EqualTo("change-requested"));
        Assert.That((string?)SentWith(Sims.Telegram, "text", "U-1002").Single()["text"], Does.StartWith("📞 Заказ U-1002: клиент просит изменить заказ"));
        var mail = (await Mails("U-1002")).Single();
        Assert.That((string?)mail["to"]![0], Is.EqualTo("operators@shop.example"));
        Assert.That(Subject(mail), Is.EqualTo("Заказ U-1002: нужен звонок оператора"));
        Assert.That(SentWith(Sims.Sms, "to", "79167000005"), Is.Empty);
    }

    [Test]
    public async Task No_answer_is_retried_with_pauses_and_then_handed_over()
    {
        var id = await NewOrder("U-1003", "79167000000");
        for (var attempt = 1; attempt < 3; attempt++)
        {
            await WaitInNode(id, "pause", "waiting");
            Clock.Advance(TimeSpan.FromMinutes(11));
            await WaitMovedAfterAdvance(id);
        }
        var task = await Finished(id, "operator");
        Assert.That(Data(task, "attempts"), Is.EqualTo("3"));
        Assert.That(Sims.VoxImplant.Started.Count(s => s["script_custom_data"]!.ToString().Contains("U-1003")), Is.EqualTo(3));
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId("U-1003")["status"], Is.EqualTo("no-answer"));
        Assert.That((string?)SentWith(Sims.Telegram, "text", "U-1003").Single()["text"], Does.Contain("не дозвонились за 3 попытки (no_answer)"));
    }

    [Test]
    public async Task No_answer_then_confirmed_on_the_retry()
    {
        Sims.VoxImplant.Outcomes["79167000001"] = "busy";
        var id = await NewOrder("U-1004", "79167000001");
        await WaitInNode(id, "pause", "waiting");
        Sims.VoxImplant.Outcomes["79167000001"] = "confirmed";
        Clock.Advance(TimeSpan.FromMinutes(11));
        var task = await Finished(id, "confirmed");
        Assert.That(Data(task, "attempts"), Is.EqualTo("2"));
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId("U-1004")["status"], Is.EqualTo("confirmed"));
    }

    [Test]
    public async Task An_invalid_number_goes_to_an_operator()
    {
        var id = await NewOrder("U-1005", "79167000003");
        await Finished(id, "operator");
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId("U-1005")["status"], Is.EqualTo("invalid-phone"));
        Assert.That((string?)(await Mails("U-1005")).Single()["body"], Does.Contain("неверный номер телефона"));
    }

    [Test]
    public async Task No_callback_goes_to_an_operator()
    {
        Sims.VoxImplant.CallbackDelay = TimeSpan.FromSeconds(20);
        try
        {
            var id = await NewOrder("U-1006", "79167000006");
            await WaitInNode(id, "wait_result", "waiting");
            Clock.Advance(TimeSpan.FromSeconds(601));
            await Finished(id, "operator");
            Assert.That((string?)Sims.RetailCrm.OrderByExternalId("U-1006")["status"], Is.EqualTo("operator-call"));
        }
        finally { Sims.VoxImplant.CallbackDelay = TimeSpan.FromMilliseconds(50); }
    }
}
