using System.Globalization;
using System.Text.Json.Nodes;
using Workflows.Server.Demo;
using Workflows.Simulators;

namespace Workflows.Tests.Processes;

/// <summary>Seed 000: lead → partner lookup → phone → lead [RPC] → robot call, every branch.</summary>
public sealed class WatchShopTests : TemplateFixture
{
    const long Lead = 31754, Robot = 11003;
    const string AlertChat = "-1001000000001", VendorsChat = "-1001000000002";

    protected override Dictionary<string, string?> Settings => new() { ["Workflows:Connectors:RetryAttempts"] = "0" };

    [SetUp]
    public void BusinessHours()
    {
        // Each test starts on a weekday at 13:00 Moscow time, later than any earlier test.
        var next = Clock.UtcNow.ToOffset(TimeSpan.FromHours(3)).Date.AddDays(1);
        SetClock(Moscow(next.Year, next.Month, next.Day, 13));
        Sims.VoxImplant.CallbackDelay = TimeSpan.FromMilliseconds(50);
    }

    static JsonObject Form(string name, string phone, string? utm = null, string ip = "10.0.0.7") => new()
    {
        ["server"] = new JsonObject { ["REMOTE_ADDR"] = ip, ["HTTP_USER_AGENT"] = "Mozilla/5.0" },
        ["cookies"] = utm is null ? new JsonObject() : new JsonObject { ["utm_source"] = utm },
        ["post"] = new JsonObject { ["name"] = name, ["phone"] = phone, ["city"] = "Москва" },
    };

    async Task<(JsonNode Lead, string RobotId)> SubmitLead(JsonObject form, string ip)
    {
        var lead = await Server.WaitFor(await Create(Lead, form, ip));
        Assert.That((string?)lead["node_id"], Is.EqualTo("done"), lead.ToJsonString());
        var robot = await TaskIdByRef(Robot, $"lead-{Data(lead, "lead_id")}");
        return (lead, robot);
    }

    [Test]
    public async Task The_seeds_PHP_script_reaches_the_lead_flow_unchanged()
    {
        // What the shop's script sends (seed 000): json_encode of {ops: [{ref, type, obj, conv_id: '31754', data}]}
        // with curl --data (a form content type) to /api/1/json/public/31754/<hash>; PHP encodes no cookies as [].
        var body = """
            {"ops":[{"ref":"10.0.0.9","type":"create","obj":"task","conv_id":"31754","data":{"server":{"REMOTE_ADDR":"10.0.0.9","HTTP_USER_AGENT":"Mozilla\/5.0"},"cookies":[],"post":{"name":"Ivan","phone":"89161234567"}}}]}
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/1/json/public/31754/{await HashOf(31754)}")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/javascript, */*; q=0.01");
        using var response = await Server.Http.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("ok"), answer.ToJsonString());
        var lead = await Server.WaitFor((string)answer["ops"]![0]!["obj_id"]!);
        Assert.That((long?)lead["conv_id"], Is.EqualTo(31754));
        Assert.That((string?)lead["node_id"], Is.EqualTo("done"), "the whole incoming-lead flow ran, not only the phone step: " + lead.ToJsonString());
        Assert.That(Data(lead, "phone"), Is.EqualTo("79161234567"));
        Assert.That(Sims.Bitrix24.Leads.ContainsKey(Data(lead, "lead_id")), Is.True, "the lead is in the CRM");
        await TaskIdByRef(Robot, $"lead-{Data(lead, "lead_id")}");
    }

    [Test]
    public async Task A_partner_lead_is_added_to_Bitrix24_called_and_confirmed_by_SMS()
    {
        var partnerId = Sims.Bitrix24.AddContact(new JsonObject { ["NAME"] = "Часовой", ["LAST_NAME"] = "Партнёр", ["UTM_SOURCE"] = "partner-7" });
        var (lead, robotId) = await SubmitLead(Form("Иван", "8 (916) 123-45-67", "partner-7", "10.0.0.1"), "10.0.0.1");

        Assert.That(Data(lead, "phone"), Is.EqualTo("79161234567"));
        var crm = Sims.Bitrix24.Leads[Data(lead, "lead_id")];
        Assert.That((string?)crm["NAME"], Is.EqualTo("Иван"));
        Assert.That((string?)crm["UTM_SOURCE"], Is.EqualTo("partner-7"));
        Assert.That((string?)crm["UF_CRM_PARTNER_ID"], Is.EqualTo(partnerId));
        Assert.That((string?)crm["PHONE"]![0]!["VALUE"], Is.EqualTo("79161234567"));
        Assert.That(SentWith(Sims.Telegram, "text", $"New lead #{Data(lead, "lead_id")}").Single()["chat_id"]!.ToString(), Is.EqualTo(VendorsChat));
        Assert.That(SentWith(Sims.Telegram, "text", $"New lead #{Data(lead, "lead_id")}").Single()["text"]!.ToString(), Does.Contain("Часовой Партнёр"));

        var robot = await Finished(robotId, "final_answered");
        Assert.That(Data(robot, "attempts"), Is.EqualTo("1"));
        Assert.That(SentWith(Sims.Sms, "to", "79161234567").Select(s => s["text"]!.ToString()), Does.Contain($"Ваш заказ №{Data(lead, "lead_id")} принят! Курьер свяжется с вами перед доставкой."));
        Assert.That((string?)crm["STATUS_ID"], Is.EqualTo("IN_PROCESS"));
        Assert.That((string?)crm["COMMENTS"], Does.StartWith("Robot call: answered"));
    }

    [Test]
    public async Task A_ten_digit_phone_gets_a_7_and_the_same_lead_is_not_dialled_twice_at_once()
    {
        Sims.VoxImplant.CallbackDelay = TimeSpan.FromSeconds(3);
        var hash = await HashOf(Robot);
        // The robot-call task holds ref lead-N while it runs: a second copy of the same lead is refused.
        var (lead, robotId) = await SubmitLead(Form("Пётр", "9161112224", ip: "10.0.0.2"), "10.0.0.2");
        Assert.That(Data(lead, "phone"), Is.EqualTo("79161112224"), "10 digits starting with 9 get a 7");
        var again = await Server.PostJson($"/api/1/json/public/{Robot}/{hash}",
            new JsonObject { ["ops"] = new JsonArray(new JsonObject { ["type"] = "create", ["obj"] = "task", ["ref"] = $"lead-{Data(lead, "lead_id")}", ["data"] = new JsonObject() }) }.ToJsonString());
        Assert.That((string?)again["ops"]![0]!["proc"], Is.EqualTo("error"));
        Assert.That((string?)again["ops"]![0]!["description"], Does.Contain("already used"));
        await Finished(robotId, "final_answered");
    }

    [Test]
    public async Task An_invalid_CRM_token_on_the_partner_request_goes_to_manual_processing_via_Telegram()
    {
        var demo = DemoMode.CredentialsFor(Sims).Single(c => c.Name == "demo-bitrix24");
        await PutCredential("demo-bitrix24", "bitrix24", new Dictionary<string, string> { ["webhook_url"] = $"{Sims.Bitrix24.Base}/rest/1/revoked-code/" });
        try
        {
            var leads = Sims.Bitrix24.Leads.Count;
            var lead = await Server.WaitFor(await Create(Lead, Form("Анна", "+7 916 555-44-37", "partner-9", "10.0.0.3"), "10.0.0.3"));
            Assert.That((string?)lead["node_id"], Is.EqualTo("manual"));
            Assert.That((string?)lead["result"], Is.EqualTo("error"));
            var alert = SentWith(Sims.Telegram, "text", "+7 916 555-44-37").Single();
            Assert.That((string?)alert["chat_id"], Is.EqualTo(AlertChat));
            Assert.That((string?)alert["text"], Does.StartWith("⚠️ Bitrix24 token is invalid, the lead needs manual processing."));
            Assert.That((string?)alert["text"], Does.Contain("INVALID_CREDENTIALS"));
            Assert.That(Sims.Bitrix24.Leads.Count, Is.EqualTo(leads), "no lead was added");
        }
        finally { await PutCredential(demo.Name, demo.Kind, demo.Fields); }
    }

    [Test]
    public async Task A_CRM_outage_on_the_partner_request_also_goes_to_manual_processing()
    {
        Sims.Bitrix24.FailNext = 1;
        var lead = await Server.WaitFor(await Create(Lead, Form("Олег", "+7 916 555-44-38", "partner-9", "10.0.0.4"), "10.0.0.4"));
        Assert.That((string?)lead["node_id"], Is.EqualTo("manual"));
        Assert.That((string?)SentWith(Sims.Telegram, "text", "+7 916 555-44-38").Single()["text"], Does.StartWith("⚠️ Bitrix24 did not answer the partner request"));
    }

    [Test]
    public async Task A_failed_lead_add_replies_an_exception_and_alerts()
    {
        Sims.Bitrix24.FailNext = 1;
        var lead = await Server.WaitFor(await Create(Lead, Form("Ольга", "+7 916 555-44-39", ip: "10.0.0.5"), "10.0.0.5"));
        Assert.That((string?)lead["node_id"], Is.EqualTo("failed"));
        Assert.That(Data(lead, "__conveyor_rpc_return_type_tag__"), Is.EqualTo("exception"));
        Assert.That((string?)SentWith(Sims.Telegram, "text", "+7 916 555-44-39").Single()["text"], Does.Contain("Bitrix24 lead not added: Bitrix24 QUERY_LIMIT_EXCEEDED"));
    }

    [Test]
    public async Task A_phone_longer_than_11_digits_ends_as_too_long()
    {
        var (_, robotId) = await SubmitLead(Form("Длинный", "+7 916 123 45 67 89", ip: "10.0.0.6"), "10.0.0.6");
        var robot = await Finished(robotId, "final_too_long");
        Assert.That(Data(robot, "phone"), Is.EqualTo("7916123456789"));
        Assert.That(Sims.VoxImplant.Started.Any(s => s["script_custom_data"]!.ToString().Contains("7916123456789")), Is.False);
    }

    [Test]
    public async Task An_invalid_number_ends_without_SMS()
    {
        var (_, robotId) = await SubmitLead(Form("Неверный", "79160000003", ip: "10.0.0.8"), "10.0.0.8");
        await Finished(robotId, "final_invalid");
        Assert.That(SentWith(Sims.Sms, "to", "79160000003"), Is.Empty);
    }

    [Test]
    public async Task An_answering_machine_gets_an_SMS_and_no_more_calls()
    {
        var (lead, robotId) = await SubmitLead(Form("Автоответчик", "79160000002", ip: "10.0.0.9"), "10.0.0.9");
        await Finished(robotId, "final_machine");
        Assert.That((string?)SentWith(Sims.Sms, "to", "79160000002").Single()["text"], Does.Contain("Мы не дозвонились"));
        Assert.That((string?)Sims.Bitrix24.Leads[Data(lead, "lead_id")]["COMMENTS"], Is.EqualTo("Robot call: answering machine, SMS sent, no more calls"));
        Assert.That(Sims.VoxImplant.Started.Count(s => s["script_custom_data"]!.ToString().Contains("79160000002")), Is.EqualTo(1));
    }

    [Test]
    public async Task No_answer_sleeps_30_minutes_as_NoCallback_and_the_retry_gets_through()
    {
        const string phone = "79160000010";
        var (_, robotId) = await SubmitLead(Form("Недозвон", phone, ip: "10.0.0.10"), "10.0.0.10");
        var sleeping = await WaitInNode(robotId, "sleep_30m", "waiting");
        Assert.That(Data(sleeping, "status"), Is.EqualTo("NoCallback"));
        Clock.Advance(TimeSpan.FromMinutes(29));
        await Task.Delay(300);
        Assert.That((string?)(await Server.Task(robotId))["node_id"], Is.EqualTo("sleep_30m"));
        Sims.VoxImplant.Outcomes[phone] = "answered";
        Clock.Advance(TimeSpan.FromMinutes(2));
        var robot = await Finished(robotId, "final_answered");
        Assert.That(Data(robot, "attempts"), Is.EqualTo("2"));
    }

    [Test]
    public async Task Busy_retries_up_to_the_attempt_limit_then_ends()
    {
        const string phone = "79160000011";
        var (lead, robotId) = await SubmitLead(Form("Занято", phone, ip: "10.0.0.11"), "10.0.0.11");
        for (var attempt = 1; attempt < 5; attempt++)
        {
            var sleeping = await WaitInNode(robotId, "sleep_30m", "waiting");
            Assert.That(Data(sleeping, "attempts"), Is.EqualTo(attempt.ToString(CultureInfo.InvariantCulture)));
            Clock.Advance(TimeSpan.FromMinutes(31));
            await WaitMovedAfterAdvance(robotId);
        }
        var robot = await Finished(robotId, "final_unreached");
        Assert.That(Data(robot, "attempts"), Is.EqualTo("5"));
        Assert.That(Sims.VoxImplant.Started.Count(s => s["script_custom_data"]!.ToString().Contains(phone)), Is.EqualTo(5));
        Assert.That((string?)Sims.Bitrix24.Leads[Data(lead, "lead_id")]["COMMENTS"], Is.EqualTo("Robot call: not reached after 5 attempts"));
    }

    [Test]
    public async Task At_night_one_SMS_is_sent_and_the_task_sleeps_until_business_hours()
    {
        const string phone = "79160000014";
        var today = Clock.UtcNow.ToOffset(TimeSpan.FromHours(3));
        SetClock(Moscow(today.Year, today.Month, today.Day, 23, 30));
        var (_, robotId) = await SubmitLead(Form("Сова", phone, ip: "10.0.0.12"), "10.0.0.12");
        var sleeping = await WaitInNode(robotId, "sleep_2h", "waiting");
        Assert.That((bool?)sleeping["data"]!["night_sms_sent"], Is.True);
        Assert.That((string?)SentWith(Sims.Sms, "to", phone).Single()["text"], Does.Contain("перезвоним в рабочее время"));
        for (var i = 0; i < 4; i++)                      // 01:30, 03:30, 05:30, 07:30: still night, no second SMS
        {
            Clock.Advance(TimeSpan.FromHours(2));
            await WaitInNodeAfterAdvance(robotId, "sleep_2h", "waiting");
            await Task.Delay(100);
        }
        Assert.That(Sims.VoxImplant.Started.Any(s => s["script_custom_data"]!.ToString().Contains(phone)), Is.False);
        Clock.Advance(TimeSpan.FromHours(2));            // 09:30: business hours
        var robot = await Finished(robotId, "final_answered");
        Assert.That(SentWith(Sims.Sms, "to", phone), Has.Count.EqualTo(2), "the night SMS once, then the confirmation");
        Assert.That(Data(robot, "timenow"), Does.EndWith("09:30:00"));
    }

    [Test]
    public async Task No_callback_from_VoxImplant_goes_to_manual_processing()
    {
        const string phone = "79160000015";
        Sims.VoxImplant.CallbackDelay = TimeSpan.FromSeconds(20);
        var (_, robotId) = await SubmitLead(Form("Тишина", phone, ip: "10.0.0.13"), "10.0.0.13");
        await WaitInNode(robotId, "wait_result", "waiting");
        Clock.Advance(TimeSpan.FromSeconds(901));
        await Finished(robotId, "final_manual");
        var alert = SentWith(Sims.Telegram, "text", phone).Single(m => (string?)m["chat_id"] == AlertChat);
        Assert.That((string?)alert["text"], Does.StartWith("☎️ Robot call for lead"));
    }
}
