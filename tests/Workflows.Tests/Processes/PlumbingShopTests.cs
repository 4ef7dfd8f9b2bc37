using System.Text.Json.Nodes;
using Workflows.Simulators;

namespace Workflows.Tests.Processes;

/// <summary>
/// Seed 004 end to end: landing order (MoySklad codes → RetailCRM → status matrix), the operator's
/// click-to-call through Beeline (working hours, no answer / busy retries, answered), the subscription
/// keeper, the status sync both ways and the catalogue export; every branch.
/// </summary>
public sealed class PlumbingShopTests : TemplateFixture
{
    const long Landing = 15002, Call = 15003, Keeper = 15004, Sync = 15005, Catalogue = 15006, Matrix = 15001;
    static readonly JsonObject Anna = new() { ["id"] = 11, ["name"] = "Анна", ["extension"] = "201" };

    [OneTimeSetUp]
    public async Task StartTheKeeper()
    {
        Sims.Beeline.EventDelay = TimeSpan.FromMilliseconds(20);
        SetClock(Moscow(2026, 12, 1, 11, 0));
        // What the 5-minute schedule does: its task starts the keeper, which subscribes to the PBX's events.
        await Finished(await Create(Keeper, new JsonObject { ["kind"] = "watchdog" }), "keeper_started");
        await WaitInNode(await TaskIdByRef(Keeper, "beeline-subscription-keeper"), "sleep", "waiting");
    }

    async Task<string> CallTask(string orderId, string phone, JsonObject? operatorInfo = null)
    {
        await Sims.RetailCrm.CreateRetailCrmOrder(new JsonObject { ["externalId"] = orderId, ["firstName"] = "Ирина", ["phone"] = phone, ["status"] = "new" });
        return await Create(Call, new JsonObject { ["order_id"] = orderId, ["phone"] = phone, ["name"] = "Ирина", ["operator"] = (operatorInfo ?? Anna).DeepClone() });
    }

    static JsonObject LandingForm(string orderId, string phone, params (string Code, int Quantity)[] items) => new()
    {
        ["order_id"] = orderId, ["name"] = "Пётр Иванов", ["phone"] = phone, ["email"] = $"{orderId.ToLowerInvariant()}@example.com",
        ["address"] = "ул. Южная, 5", ["district"] = "Южный", ["landing"] = "unitaz-promo",
        ["utm_source"] = "yandex", ["utm_medium"] = "cpc", ["utm_campaign"] = "winter",
        ["items"] = new JsonArray(items.Select(i => (JsonNode)new JsonObject { ["code"] = i.Code, ["quantity"] = i.Quantity }).ToArray()),
    };

    // ---- landing order ----

    [Test]
    public async Task A_landing_order_gets_its_offers_by_MoySklad_code_lands_in_RetailCRM_and_the_status_matrix_takes_over()
    {
        SetClock(Moscow(2026, 12, 1, 11, 0));
        var task = await Finished(await Create(Landing, LandingForm("L-100", "8 916 700-00-07", ("WC-WALL-02", 1), ("SEAT-04", 2))), "created");
        var order = Sims.RetailCrm.OrderByExternalId("L-100");
        Assert.That((string?)order["status"], Is.EqualTo("new"));
        Assert.That((string?)order["orderMethod"], Is.EqualTo("landing-page"));
        Assert.That((string?)order["source"]!["source"], Is.EqualTo("yandex"));
        Assert.That((string?)order["source"]!["campaign"], Is.EqualTo("winter"));
        var items = order["items"]!.AsArray();
        Assert.That(items.Select(i => (string?)i!["offer"]!["externalId"]), Is.EqualTo(new[] { "WC-WALL-02", "SEAT-04" }));
        Assert.That(items.Select(i => (double?)i!["initialPrice"]), Is.EqualTo(new double?[] { 15990, 2490 }));
        Assert.That((int?)items[1]!["quantity"], Is.EqualTo(2));
        Assert.That(Data(task, "crm_order_id"), Is.Not.Empty);
        // The status matrix got it as a new order: SMS, operator assigned, and the operator calls.
        var matrix = await Finished(await TaskIdByRef(Matrix, "new-L-100"), "operator_assigned");
        Assert.That((string?)matrix["data"]!["items"]![0]!["product_id"], Is.EqualTo("8f1a2b3c-0000-4000-8000-00000000a002"));
        Assert.That(SentWith(Sims.Sms, "text", "Заказ L-100 получен"), Has.Count.EqualTo(1));
        await Finished(await TaskIdByRef(Call, "call-L-100"), "answered");
    }

    [Test]
    public async Task An_unknown_code_stops_the_order_with_a_clear_error_and_alerts_the_operators()
    {
        var task = await Finished(await Create(Landing, LandingForm("L-101", "79167000008", ("SEAT-04", 1), ("NO-SUCH-9", 1))), "unknown_code");
        Assert.That(Data(task, "error"), Does.Contain("NO-SUCH-9").And.Contain("no MoySklad product has that external code"));
        Assert.That((string?)SentWith(Sims.Telegram, "text", "L-101").Single()["text"], Does.Contain("неизвестным кодом товара").And.Contain("NO-SUCH-9"));
        Assert.That(Sims.RetailCrm.Orders.Values.Any(o => (string?)o["externalId"] == "L-101"), Is.False);
    }

    [Test]
    public async Task A_form_without_product_codes_is_refused()
    {
        var form = LandingForm("L-102", "79167000009");
        await Finished(await Create(Landing, form), "bad_form");
        Assert.That(Sims.RetailCrm.Orders.Values.Any(o => (string?)o["externalId"] == "L-102"), Is.False);
    }

    // ---- call the customer ----

    [Test]
    public async Task Answered_the_call_writes_its_duration_and_recording_link_to_the_order()
    {
        SetClock(Moscow(2026, 12, 1, 12, 0));
        var task = await Finished(await CallTask("C-1", "79165550017"), "answered");
        var fields = Sims.RetailCrm.OrderByExternalId("C-1")["customFields"]!;
        Assert.That((int?)fields["call_duration"], Is.EqualTo(BeelineSimulator.AnsweredSeconds));
        Assert.That((string?)fields["call_recording"], Does.StartWith(Sims.Beeline.Base).And.EndWith(".mp3"));
        Assert.That((string?)fields["call_operator"], Is.EqualTo("Анна"));
        var call = Sims.Beeline.CallLog[Data(task, "call_id")];
        Assert.That(call.UserId, Is.EqualTo("anna@unitaz.pbx"), "the assigned operator's extension rang first");
        Assert.That(call.Phone, Is.EqualTo("79165550017"));
        Assert.That(Data(task, "attempts"), Is.EqualTo("1"));
    }

    [Test]
    public async Task No_answer_sets_the_status_sends_an_SMS_and_retries_at_most_three_times()
    {
        SetClock(Moscow(2026, 12, 1, 13, 0));
        var id = await CallTask("C-2", "79165550020");
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var waiting = attempt == 1 ? await WaitInNode(id, "retry_later", "waiting") : await WaitInNodeAfterAdvance(id, "retry_later", "waiting");
            Assert.That(Data(waiting, "attempts"), Is.EqualTo(attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That((string?)waiting["data"]!["call"]!["result"], Is.EqualTo("no_answer"));
            Assert.That((string?)Sims.RetailCrm.OrderByExternalId("C-2")["status"], Is.EqualTo("no-answer"));
            Assert.That(SentWith(Sims.Sms, "to", "79165550020"), Has.Count.EqualTo(attempt));
            Clock.Advance(TimeSpan.FromMinutes(30));
        }
        await Finished(id, "unreached");
        Assert.That(Sims.Beeline.CallLog.Values.Count(c => c.Phone == "79165550020"), Is.EqualTo(3));
        Assert.That((string?)SentWith(Sims.Sms, "to", "79165550020").Last()["text"], Does.Contain("Перезвоните, пожалуйста"));
        Assert.That((string?)SentWith(Sims.Telegram, "text", "C-2").Single()["text"], Does.Contain("не дозвонились за 3 попытки"));
    }

    [Test]
    public async Task Busy_then_answered_on_the_retry()
    {
        SetClock(Moscow(2026, 12, 1, 14, 0));
        var id = await CallTask("C-3", "79165550031");
        var waiting = await WaitInNode(id, "retry_later", "waiting");
        Assert.That((string?)waiting["data"]!["call"]!["result"], Is.EqualTo("busy"));
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId("C-3")["managerComment"], Does.Contain("Недозвон (busy), попытка 1 из 3"));
        Sims.Beeline.Outcomes["79165550031"] = "answered";
        Clock.Advance(TimeSpan.FromMinutes(30));
        var task = await Finished(id, "answered");
        Assert.That(Data(task, "attempts"), Is.EqualTo("2"));
        Assert.That((int?)Sims.RetailCrm.OrderByExternalId("C-3")["customFields"]!["call_duration"], Is.EqualTo(42));
    }

    [TestCase(22, "завтра в 9:00", 1)]
    [TestCase(7, "сегодня в 9:00", 0)]
    public async Task After_hours_an_SMS_says_when_and_the_call_waits_for_the_morning(int hour, string when, int days)
    {
        var orderId = $"C-4-{hour}";
        var phone = hour == 22 ? "79165550422" : "79165550407";   // last digit: answered
        SetClock(Moscow(2026, 12, 2, hour, 30));
        var id = await CallTask(orderId, phone);
        var waiting = await WaitInNode(id, "wait_morning", "waiting");
        Assert.That((string?)SentWith(Sims.Sms, "to", phone).Single()["text"], Does.Contain($"позвонит вам {when}"));
        Assert.That(Sims.Beeline.CallLog.Values.Any(c => c.Phone == phone), Is.False, "nobody is called at night");
        var morning = Moscow(2026, 12, 2 + days, 9, 0);
        Assert.That(long.Parse(Data(waiting, "call_at"), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(morning.ToUnixTimeSeconds()));
        SetClock(morning.AddSeconds(1));
        await Finished(id, "answered");
        Assert.That(SentWith(Sims.Sms, "to", phone), Has.Count.EqualTo(1), "one SMS at night only");
    }

    [Test]
    public async Task The_keeper_renews_the_subscription_before_it_lapses_and_deletes_the_old_one_and_runs_once()
    {
        var keeper = await TaskIdByRef(Keeper, "beeline-subscription-keeper");
        var before = await WaitInNode(keeper, "sleep", "waiting");
        var first = (string)before["data"]!["beeline_subscription"]!["id"]!;
        Assert.That(Sims.Beeline.Subscriptions[first].Url, Does.Contain($"/api/beeline/events/{Call}/").And.EndWith("/wait_call"));
        // The watchdog schedule again: the running keeper's ref refuses a second one.
        await Finished(await Create(Keeper, new JsonObject { ["kind"] = "watchdog" }), "keeper_running");
        var renewAt = DateTimeOffset.FromUnixTimeSeconds((long)before["data"]!["beeline_subscription"]!["renew_at"]!);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((long)before["data"]!["beeline_subscription"]!["expires_at"]!);
        Assert.That(expiresAt - renewAt, Is.EqualTo(TimeSpan.FromMinutes(6)), "renewed a tenth of the hour before it lapses");
        SetClock(renewAt.AddSeconds(1));
        var after = await WaitInNodeAfterAdvance(keeper, "sleep", "waiting");
        var second = (string)after["data"]!["beeline_subscription"]!["id"]!;
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(Sims.Beeline.Subscriptions.ContainsKey(first), Is.False, "the previous subscription is deleted");
        Assert.That(Sims.Beeline.Subscriptions.ContainsKey(second), Is.True);
    }

    // ---- status sync ----

    async Task<string> ConfirmedOrder(string orderId)
    {
        await Sims.RetailCrm.CreateRetailCrmOrder(new JsonObject { ["externalId"] = orderId, ["firstName"] = "Ирина", ["phone"] = "79168880001", ["status"] = "confirmed" });
        var matrix = await Create(Matrix, new JsonObject
        {
            ["order_id"] = orderId, ["status"] = "confirmed", ["previous_status"] = "new",
            ["changed_by"] = new JsonObject { ["role"] = "operator", ["name"] = "Анна" },
            ["customer"] = new JsonObject { ["name"] = "Ирина", ["phone"] = "79168880001" },
            ["district"] = "Южный", ["items"] = new JsonArray(new JsonObject { ["product_id"] = "8f1a2b3c-0000-4000-8000-00000000a004", ["quantity"] = 2, ["price"] = 2490 }),
        });
        await Finished(matrix, "fitter_assigned");
        return Sims.MoySklad.OrderNamed(orderId)!.Id;
    }

    [Test]
    public async Task A_RetailCRM_status_is_mirrored_to_the_MoySklad_order_once()
    {
        await ConfirmedOrder("S-1");
        await Finished(await Create(Sync, new JsonObject { ["order_id"] = "S-1", ["status"] = "confirmed" }), "mirrored");
        Assert.That(Sims.MoySklad.OrderNamed("S-1")!.State, Is.EqualTo("Подтвержден"));
        await Finished(await Create(Sync, new JsonObject { ["order_id"] = "S-1", ["status"] = "confirmed" }), "already_in_sync");
        await Finished(await Create(Sync, new JsonObject { ["order_id"] = "S-1", ["status"] = "accepted" }), "mirrored");
        Assert.That(Sims.MoySklad.OrderNamed("S-1")!.State, Is.EqualTo("Принят в работу"));
    }

    [Test]
    public async Task A_cancel_releases_the_reserves()
    {
        var seat = Sims.MoySklad.Products["8f1a2b3c-0000-4000-8000-00000000a004"];
        var before = seat.Reserve;
        await ConfirmedOrder("S-2");
        Assert.That(seat.Reserve, Is.EqualTo(before + 2));
        var task = await Finished(await Create(Sync, new JsonObject { ["order_id"] = "S-2", ["status"] = "cancel" }), "mirrored");
        Assert.That(Sims.MoySklad.OrderNamed("S-2")!.State, Is.EqualTo("Отменен"));
        Assert.That(seat.Reserve, Is.EqualTo(before));
        Assert.That((int?)task["data"]!["moysklad_order"]!["released"], Is.EqualTo(1));
    }

    [Test]
    public async Task A_MoySklad_change_comes_back_to_RetailCRM_without_looping()
    {
        var id = await ConfirmedOrder("S-3");
        Sims.MoySklad.Orders[id].State = "Выполнен";   // a user changes the state in MoySklad
        var webhook = new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["meta"] = new JsonObject { ["type"] = "customerorder", ["href"] = $"{Sims.MoySklad.Base}/api/remap/1.2/entity/customerorder/{id}" },
                ["action"] = "UPDATE", ["accountId"] = "demo", ["updatedFields"] = new JsonArray("state"),
            }),
        };
        await Finished(await Create(Sync, webhook), "mirrored_back");
        Assert.That((string?)Sims.RetailCrm.OrderByExternalId("S-3")["status"], Is.EqualTo("done"));
        // RetailCRM's trigger reports that change back: MoySklad already has it, so it stops there.
        await Finished(await Create(Sync, new JsonObject { ["order_id"] = "S-3", ["status"] = "done" }), "already_in_sync");
        // And the same webhook again (MoySklad retries): RetailCRM already has it.
        await Finished(await Create(Sync, webhook.DeepClone().AsObject()), "already_in_sync");
    }

    [Test]
    public async Task A_status_before_any_reserve_has_no_MoySklad_order_yet()
    {
        await Finished(await Create(Sync, new JsonObject { ["order_id"] = "S-4", ["status"] = "new" }), "no_moysklad_order");
        await Finished(await Create(Sync, new JsonObject { ["order_id"] = "S-4", ["status"] = "weird-status" }), "ignored");
    }

    // ---- catalogue export ----

    [Test]
    public async Task The_catalogue_export_pushes_products_and_stock_in_batches_and_counts_what_changed()
    {
        var schedule = (await Server.GetJson($"/api/processes/{Catalogue}/export"))["schedules"]![0]!;
        Assert.That((string?)schedule["cron"], Is.EqualTo("0 15 * * * ?"));
        Assert.That((string?)schedule["time_zone"], Is.EqualTo("Europe/Moscow"));
        for (var i = 0; i < 60; i++)
            Sims.MoySklad.AddProduct($"9e000000-0000-4000-8000-{i:D12}", $"Фитинг {i}", i, externalCode: $"FIT-{i:D3}", price: 100 + i);
        var total = Sims.MoySklad.Products.Count;
        var first = await Finished(await Create(Catalogue, schedule["data"]!.DeepClone().AsObject()), "exported", 20_000);
        Assert.That(Data(first, "batches"), Is.EqualTo(((total + 49) / 50).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Data(first, "created"), Is.EqualTo(total.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var offer = Sims.RetailCrm.Offers["FIT-007"];
        Assert.That((offer.Name, offer.Price, offer.Quantity), Is.EqualTo(("Фитинг 7", 107d, 7d)));

        Sims.MoySklad.Products["9e000000-0000-4000-8000-000000000007"].Stock = 70;
        Sims.MoySklad.AddProduct("9e000000-0000-4000-8000-100000000000", "Сифон", 4, externalCode: "SIPHON-1", price: 900);
        var second = await Finished(await Create(Catalogue, schedule["data"]!.DeepClone().AsObject()), "exported", 20_000);
        Assert.That((Data(second, "created"), Data(second, "changed")), Is.EqualTo(("1", "1")));
        Assert.That(Data(second, "unchanged"), Is.EqualTo((total - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Sims.RetailCrm.Offers["FIT-007"].Quantity, Is.EqualTo(70));
        Assert.That(SentWith(Sims.Telegram, "text", "Каталог выгружен").Last()["text"]!.ToString(), Does.Contain("новых 1, изменились остаток или цена 1"));
    }
}
