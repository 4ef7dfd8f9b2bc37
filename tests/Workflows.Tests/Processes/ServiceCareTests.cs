using System.Text.Json.Nodes;
using Workflows.Simulators;

namespace Workflows.Tests.Processes;

/// <summary>Seed 001: Service Care replenishment reminders, from the Shop-Script order to every cart branch.</summary>
public sealed class ServiceCareTests : TemplateFixture
{
    const long Order = 12001, Reminder = 12002, Week = 12003, Monday = 12004, Cart = 12005;

    static long Unix(DateTimeOffset t) => t.ToUnixTimeSeconds();

    /// <summary>What the Monday 09:00 schedule does: a task with the schedule's data and the planned fire time.</summary>
    async Task<JsonNode> RunMondayCollection()
    {
        var schedule = (await Server.GetJson($"/api/processes/{Monday}/export"))["schedules"]![0]!;
        Assert.That((string?)schedule["cron"], Is.EqualTo("0 0 9 ? * MON"));
        Assert.That((string?)schedule["time_zone"], Is.EqualTo("Europe/Moscow"));
        var data = schedule["data"]!.DeepClone().AsObject();
        data["scheduled_at"] = Unix(Clock.UtcNow);
        return await Server.WaitFor(await Create(Monday, data));
    }

    static JsonObject CartData(string email, string phone, string week, params (string Name, double Price, int Quantity)[] items) => new()
    {
        ["week"] = week,
        ["cart"] = new JsonObject
        {
            ["customer"] = new JsonObject { ["name"] = "Светлана", ["email"] = email, ["phone"] = phone },
            ["items"] = new JsonArray(items.Select((it, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"o900-{i + 1}", ["name"] = it.Name, ["sku"] = $"SKU-{i + 1}", ["product_id"] = $"{i + 1}", ["price"] = it.Price, ["quantity"] = it.Quantity,
                ["kind"] = "coffee", ["period_days"] = 30, ["due_at"] = 0,
            }).ToArray()),
        },
    };

    async Task<string> NewCart(string email, string phone)
    {
        var reference = $"cart-2030-01-07-{email}";
        await Create(Cart, CartData(email, phone, "2030-01-07", ("Кофе в зёрнах", 900, 2), ("Корм для кошек", 1500, 1)), reference);
        var id = await TaskIdByRef(Cart, reference);
        await WaitInNode(id, "wait_open", "waiting");
        Assert.That(await Mails(email), Has.Count.EqualTo(1));
        return id;
    }

    [Test, Order(1)]
    public async Task An_order_is_split_into_reminders_collected_on_Monday_and_confirmed_into_a_RetailCRM_order()
    {
        SetClock(Moscow(2026, 11, 23, 13));             // a Monday afternoon
        Sims.ShopScript.AddOrder(new JsonObject
        {
            ["id"] = "501", ["state_id"] = "new", ["total"] = "4400", ["currency"] = "RUB",
            ["contact"] = new JsonObject { ["name"] = "Иван Петров", ["email"] = "ivan@example.com", ["phone"] = "+7 (916) 123-45-67" },
            ["items"] = new JsonArray(
                new JsonObject { ["name"] = "Кофе &quot;Арабика&quot; 1 кг", ["sku_code"] = "CF-1", ["product_id"] = "21", ["price"] = "1400", ["quantity"] = "1", ["type"] = "product" },
                new JsonObject { ["name"] = "Корм для собак 3 кг", ["sku_code"] = "PF-3", ["product_id"] = "22", ["price"] = "1500", ["quantity"] = "2", ["type"] = "product" }),
        });
        var answer = await Sims.ShopScript.FireWebhookAsync(new Uri(Server.BaseAddress, $"/api/1/json/public/{Order}/{await HashOf(Order)}").ToString(), "501");
        var order = await Server.WaitFor((string)answer!["ops"]![0]!["obj_id"]!);
        Assert.That((string?)order["node_id"], Is.EqualTo("planned"));
        var planned = order["data"]!["reminders"]!.AsArray();
        Assert.That(planned.Select(r => (string?)r!["kind"]), Is.EqualTo(new[] { "coffee", "pet_food" }));
        Assert.That(planned.Select(r => (int)r!["period_days"]!), Is.EqualTo(new[] { 30, 56 }), "28 days per bag, two bags");

        var coffee = await TaskIdByRef(Reminder, "o501-1");
        var food = await TaskIdByRef(Reminder, "o501-2");
        await WaitInNode(coffee, "parked", "waiting");
        await WaitInNode(food, "parked", "waiting");

        // Day 30 (Wednesday 23 Dec): the coffee reminder is due and stored for Monday 28 Dec.
        SetClock(Moscow(2026, 12, 23, 13, 1));
        await Finished(coffee, "stored");
        var week = await TaskIdByRef(Week, "week-2026-12-28");
        var waiting = await WaitInNode(week, "keep", "waiting");
        Assert.That(waiting["data"]!["carts"]!["ivan@example.com"]!["items"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(await Mails("ivan@example.com", atLeast: 0), Is.Empty, "nothing is sent before Monday");

        // Monday 28 Dec 09:00: the schedule collects the week; the pet food (due 18 Jan) is still parked.
        SetClock(Moscow(2026, 12, 28, 9));
        var monday = await RunMondayCollection();
        Assert.That((string?)monday["node_id"], Is.EqualTo("collected"));
        Assert.That(Data(monday, "week"), Is.EqualTo("2026-12-28"));
        await Finished(week, "collected");
        Assert.That((string?)(await Server.Task(food))["node_id"], Is.EqualTo("parked"));

        var cartRef = "cart-2026-12-28-ivan@example.com";
        var cart = await TaskIdByRef(Cart, cartRef);
        await WaitInNode(cart, "wait_open", "waiting");
        var mail = (await Mails("ivan@example.com")).Single();
        Assert.That(Subject(mail), Is.EqualTo("Пора пополнить запасы: ваша корзина готова"));
        Assert.That((string?)mail["body"], Does.Contain("- Кофе \"Арабика\" 1 кг x 1: 1400 руб.").And.Contain("https://shop.example/care/cart/"));

        await Modify(Cart, cartRef, new JsonObject { ["event"] = "opened" });
        await WaitInNode(cart, "wait_click", "waiting");
        await Modify(Cart, cartRef, new JsonObject { ["event"] = "clicked" });
        await WaitInNode(cart, "wait_decision", "waiting");
        await Modify(Cart, cartRef, new JsonObject { ["event"] = "decision", ["decision"] = "confirm" });
        var done = await Finished(cart, "confirmed");

        var crm = Sims.RetailCrm.Orders.Values.Single(o => o["email"]?.ToString() == "ivan@example.com");
        Assert.That((string?)crm["items"]![0]!["productName"], Is.EqualTo("Кофе \"Арабика\" 1 кг"));
        Assert.That((string?)crm["orderMethod"], Is.EqualTo("service-care"));
        var toOperator = (await Mails("позвоните клиенту, заказ")).Single();
        Assert.That((string?)toOperator["to"]![0], Is.EqualTo("operator@shop.example"));
        Assert.That(Subject(toOperator), Is.EqualTo($"Service Care: позвоните клиенту, заказ {Data(done, "crm_order_number")}"));
    }

    [Test, Order(2)]
    public async Task The_Monday_run_with_nothing_due_ends_quietly()
    {
        SetClock(Moscow(2027, 3, 1, 9));
        var monday = await RunMondayCollection();
        Assert.That((string?)monday["node_id"], Is.EqualTo("nothing_due"));
    }

    [Test, Order(3)]
    public async Task Add_to_wishlist_breaks_the_cart_up_and_reschedules_every_reminder()
    {
        var id = await NewCart("wish@example.com", "79165550001");
        await Modify(Cart, "cart-2030-01-07-wish@example.com", new JsonObject { ["event"] = "decision", ["decision"] = "wishlist" });
        await Finished(id, "wishlisted");
        var now = Unix(Clock.UtcNow);
        foreach (var n in new[] { 1, 2 })
        {
            var rescheduled = (await Tasks(Reminder)).Single(t => ((string?)t!["ref"] ?? "").StartsWith($"o900-{n}~", StringComparison.Ordinal))!;
            Assert.That((string?)rescheduled["node_id"], Is.EqualTo("parked"));
            Assert.That((long)rescheduled["data"]!["reminder"]!["due_at"]!, Is.InRange(now + 14 * 86400 - 5, now + 14 * 86400 + 5));
            Assert.That((bool?)rescheduled["data"]!["reminder"]!["wishlisted"], Is.True);
        }
        Assert.That(Sims.RetailCrm.Orders.Values.Any(o => o["email"]?.ToString() == "wish@example.com"), Is.False);
    }

    [Test, Order(4)]
    public async Task Not_opened_gets_a_second_e_mail_and_then_an_SMS()
    {
        var id = await NewCart("silent@example.com", "79165550002");
        Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        await WaitInNodeAfterAdvance(id, "wait_open", "waiting");
        Assert.That((await Mails("silent@example.com", atLeast: 2)).Select(Subject), Does.Contain("Светлана, ваша корзина всё ещё ждёт"));
        Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        await Finished(id, "not_opened");
        Assert.That((string?)SentWith(Sims.Sms, "to", "79165550002").Single()["text"], Does.StartWith("Скоро закончатся ваши товары. Корзина готова: https://shop.example/care/cart/"));
    }

    [Test, Order(5)]
    public async Task Opened_but_not_clicked_gets_one_more_e_mail_and_ends()
    {
        var id = await NewCart("opened@example.com", "79165550003");
        await Modify(Cart, "cart-2030-01-07-opened@example.com", new JsonObject { ["event"] = "opened" });
        await WaitInNode(id, "wait_click", "waiting");
        Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        await WaitInNodeAfterAdvance(id, "wait_click", "waiting");
        await Task.Delay(100);
        Assert.That((await Mails("opened@example.com", atLeast: 2)).Select(Subject), Does.Contain("Посмотрите корзину: всё уже собрано"));
        Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromMinutes(1));
        await Finished(id, "not_clicked");
        Assert.That(SentWith(Sims.Sms, "to", "79165550003"), Is.Empty);
    }

    [Test, Order(6)]
    public async Task Opened_then_clicked_after_the_reminder_still_reaches_a_decision()
    {
        var id = await NewCart("late@example.com", "79165550004");
        await Modify(Cart, "cart-2030-01-07-late@example.com", new JsonObject { ["event"] = "clicked" });   // images off: no "opened"
        await WaitInNode(id, "wait_decision", "waiting");
        await Modify(Cart, "cart-2030-01-07-late@example.com", new JsonObject { ["event"] = "decision", ["decision"] = "confirm" });
        await Finished(id, "confirmed");
        Assert.That(Sims.RetailCrm.Orders.Values.Single(o => o["email"]?.ToString() == "late@example.com")["items"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test, Order(7)]
    public async Task Clicked_but_no_decision_asks_the_operator_to_call()
    {
        var id = await NewCart("undecided@example.com", "79165550005");
        await Modify(Cart, "cart-2030-01-07-undecided@example.com", new JsonObject { ["event"] = "opened" });
        await WaitInNode(id, "wait_click", "waiting");
        await Modify(Cart, "cart-2030-01-07-undecided@example.com", new JsonObject { ["event"] = "clicked" });
        await WaitInNode(id, "wait_decision", "waiting");
        Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await Finished(id, "no_decision");
        var mail = (await Mails("undecided@example.com", atLeast: 2)).Single(m => m["to"]![0]!.ToString() == "operator@shop.example");
        Assert.That(Subject(mail), Is.EqualTo("Service Care: клиент смотрел корзину, но не решил"));
    }

    [Test, Order(8)]
    public async Task A_confirmed_cart_the_CRM_refuses_goes_to_the_operator_by_e_mail()
    {
        var id = await NewCart("crmdown@example.com", "79165550006");
        Sims.RetailCrm.FailNext = 5;
        try
        {
            await Modify(Cart, "cart-2030-01-07-crmdown@example.com", new JsonObject { ["event"] = "decision", ["decision"] = "confirm" });
            await Finished(id, "confirmed");
        }
        finally { Sims.RetailCrm.FailNext = 0; }
        var mail = (await Mails("crmdown@example.com", atLeast: 2)).Single(m => m["to"]![0]!.ToString() == "operator@shop.example");
        Assert.That(Subject(mail), Is.EqualTo("Service Care: создайте заказ вручную и позвоните клиенту"));
        Assert.That((string?)mail["body"], Does.Contain("Rate limit exceeded"));
    }
}
