using System.Text;
using System.Text.Json.Nodes;
using Workflows.Connectors.Beeline;
using Workflows.Simulators;
using Workflows.Tests.Support;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.Beeline;

public sealed class BeelineTests
{
    static int _operator = 300;

    /// <summary>A fresh operator per test: every test's subscription hears only its own calls.</summary>
    static string NewOperator()
    {
        var extension = Interlocked.Increment(ref _operator).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Sims.Beeline.AddAbonent(new BeelineSimulator.Abonent($"op{extension}@unitaz.pbx", extension, $"7916000{extension}0", "Тест", "Оператор"));
        return extension;
    }

    /// <summary>start → subscribe (events to "wait") → click to call → wait (key {{call_id}}) → statistics and recording → finals.</summary>
    static string ClickToCall(string extension) => TestProcesses.Definition("click to call",
        TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "subscribe" }),
        TestProcesses.Node("subscribe", "beeline.subscribe", new JsonObject { ["credential"] = "demo-beeline", ["pattern"] = extension, ["wait_node"] = "wait" },
            new JsonObject { ["next"] = "call", ["error"] = "err" }),
        TestProcesses.Node("call", "beeline.click_to_call", new JsonObject { ["credential"] = "demo-beeline", ["pattern"] = extension, ["phone"] = "{{phone}}" },
            new JsonObject { ["next"] = "wait", ["error"] = "err" }),
        TestProcesses.Node("wait", "wait_callback", new JsonObject { ["timeout_seconds"] = 30, ["key"] = "{{call_id}}" },
            new JsonObject { ["next"] = "record", ["timeout"] = "err" }),
        TestProcesses.Node("record", "beeline.call_record", new JsonObject { ["credential"] = "demo-beeline", ["user_id"] = extension },
            new JsonObject { ["next"] = "unsubscribe", ["not_found"] = "err", ["error"] = "err" }),
        TestProcesses.Node("unsubscribe", "beeline.unsubscribe", new JsonObject { ["credential"] = "demo-beeline" },
            new JsonObject { ["next"] = "done", ["not_found"] = "err", ["error"] = "err" }),
        TestProcesses.Final("done"),
        TestProcesses.Final("err", "error"));

    [TestCase("8 (916) 123-45-67", "answered", 42)]
    [TestCase("79161234560", "no_answer", 0)]
    [TestCase("79161234561", "busy", 0)]
    public async Task Click_to_call_rings_through_and_the_released_event_wakes_the_task_waiting_for_that_call(string phone, string outcome, int duration)
    {
        var extension = NewOperator();
        var (conv, hash) = await TestHost.CreateProcess(ClickToCall(extension));
        var task = await TestHost.WaitFor(await TestHost.CreateTask(conv, hash, new JsonObject { ["phone"] = phone }));
        Assert.That((string?)task["node_id"], Is.EqualTo("done"), task.ToJsonString());
        var data = task["data"]!;
        var callId = (string)data["call_id"]!;
        Assert.That((string?)data["call"]!["call_id"], Is.EqualTo(callId));
        Assert.That((string?)data["call"]!["event"], Is.EqualTo("released"));
        Assert.That((string?)data["call"]!["result"], Is.EqualTo(outcome));
        Assert.That((int?)data["call"]!["duration"], Is.EqualTo(duration));
        Assert.That((string?)data["call"]!["remote_party"], Is.EqualTo(phone.StartsWith('8') ? "79161234567" : phone));
        Assert.That((int?)data["call_record"]!["duration"], Is.EqualTo(duration));
        if (outcome == "answered")
        {
            var link = (string)data["call_record"]!["recording_url"]!;
            using var http = new HttpClient();
            Assert.That(await http.GetStringAsync(link), Does.StartWith("ID3"));
        }
        else Assert.That(data["call_record"]!["recording_url"], Is.Null);
        // The PBX sent the call's events in order to the node's own URL, and the subscription is gone.
        var events = Sims.Beeline.Events.Where(e => e.Xml.Contains(callId, StringComparison.Ordinal)).ToList();
        Assert.That(events.Select(e => CallEvent.Parse(e.Xml).Event!.Type),
            Is.EqualTo(outcome == "answered" ? new[] { "originated", "answered", "released" } : ["originated", "released"]));
        Assert.That(events[0].Url, Does.EndWith($"/api/beeline/events/{conv}/{hash}/wait"));
        Assert.That(Sims.Beeline.Subscriptions.ContainsKey((string)data["beeline_subscription"]!["id"]!), Is.False);
    }

    [Test]
    public async Task A_wrong_token_is_a_software_auth_error()
    {
        var task = await Run("beeline.click_to_call", new JsonObject { ["credential"] = "bad-beeline", ["pattern"] = "201" }, new JsonObject { ["phone"] = "79161234567" });
        FailedWith(task, "beeline", "software", "auth_failed");
        Assert.That(ErrorText(task, "beeline"), Does.Contain("Invalid token"));
    }

    [Test]
    public async Task Rate_limits_are_retried()
    {
        Sims.Beeline.FailNext = 2;
        var task = await Run("beeline.click_to_call", new JsonObject { ["credential"] = "demo-beeline", ["pattern"] = "202" }, new JsonObject { ["phone"] = "79161234567" });
        Succeeded(task, "beeline");
        Assert.That((string?)task["data"]!["call_id"], Does.StartWith("callhalf-"));
    }

    [Test]
    public async Task An_unknown_operator_is_a_permanent_error_with_the_PBX_text()
    {
        var task = await Run("beeline.click_to_call", new JsonObject { ["credential"] = "demo-beeline", ["pattern"] = "999" }, new JsonObject { ["phone"] = "79161234567" });
        FailedWith(task, "beeline", "software", "not_found");
        Assert.That(ErrorText(task, "beeline"), Does.Contain("Abonent '999' not found"));
    }

    [Test]
    public async Task A_subscription_is_renewed_deleted_and_lapses_by_the_PBX_clock()
    {
        var extension = NewOperator();
        var first = await Run("beeline.subscribe", new JsonObject { ["credential"] = "demo-beeline", ["pattern"] = extension, ["url"] = "http://127.0.0.1:9/hook", ["expires"] = "600" });
        Succeeded(first, "beeline");
        var sub = first["data"]!["beeline_subscription"]!;
        Assert.That((int?)sub["expires"], Is.EqualTo(600));
        Assert.That((int?)sub["renew_in"], Is.EqualTo(540));
        var id = (string)sub["id"]!;
        var gone = await Run("beeline.unsubscribe", new JsonObject { ["credential"] = "demo-beeline", ["subscription_id"] = id }, null, "not_found");
        Assert.That((string?)gone["node_id"], Is.EqualTo("ok"));
        var again = await Run("beeline.unsubscribe", new JsonObject { ["credential"] = "demo-beeline", ["subscription_id"] = id }, null, "not_found");
        Assert.That((string?)again["node_id"], Is.EqualTo("not_found"));

        var lapsing = await Run("beeline.subscribe", new JsonObject { ["credential"] = "demo-beeline", ["pattern"] = extension, ["url"] = "http://127.0.0.1:9/hook", ["expires"] = "60" });
        var lapsingId = (string)lapsing["data"]!["beeline_subscription"]!["id"]!;
        var clock = DateTimeOffset.UtcNow;
        Sims.Beeline.Now = () => clock.AddSeconds(61);
        try
        {
            var late = await Run("beeline.unsubscribe", new JsonObject { ["credential"] = "demo-beeline", ["subscription_id"] = lapsingId }, null, "not_found");
            Assert.That((string?)late["node_id"], Is.EqualTo("not_found"), "a lapsed subscription is gone");
        }
        finally { Sims.Beeline.Now = () => DateTimeOffset.UtcNow; }
    }

    [Test]
    public async Task Inbound_calls_arrive_as_received_events_and_bad_bodies_get_a_clear_400()
    {
        var extension = NewOperator();
        var (conv, hash) = await TestHost.CreateProcess(TestProcesses.Definition("inbound",
            TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "wait" }),
            TestProcesses.Node("wait", "wait_callback", new JsonObject { ["key"] = "{{call_id}}" }, new JsonObject { ["next"] = "done", ["timeout"] = "done" }),
            TestProcesses.Final("done")));
        await Run("beeline.subscribe", new JsonObject { ["credential"] = "demo-beeline", ["pattern"] = extension, ["process"] = conv.ToString(System.Globalization.CultureInfo.InvariantCulture), ["wait_node"] = "wait" });
        var callId = await Sims.Beeline.IncomingCallAsync(extension, "79035550011");
        var received = CallEvent.Parse(Sims.Beeline.Events.First(e => e.Xml.Contains(callId, StringComparison.Ordinal)).Xml).Event!;
        Assert.That(received.Type, Is.EqualTo("received"));
        Assert.That(received.Personality, Is.EqualTo("Terminator"));
        Assert.That(received.RemoteParty, Is.EqualTo("79035550011"));

        var url = CallEventsApi.Path(conv, hash, "wait");
        using var notXml = await TestHost.Http.PostAsync(url, new StringContent("{\"a\":1}", Encoding.UTF8, "application/json"));
        Assert.That((int)notXml.StatusCode, Is.EqualTo(400));
        Assert.That(await notXml.Content.ReadAsStringAsync(), Does.Contain("not XML"));
        using var wrongHash = await TestHost.Http.PostAsync(CallEventsApi.Path(conv, "x" + hash[1..], "wait"), new StringContent("<a/>", Encoding.UTF8, "application/xml"));
        Assert.That((int)wrongHash.StatusCode, Is.EqualTo(403));
        using var noKey = await TestHost.Http.PostAsync(CallEventsApi.Path(conv, hash, "start"), new StringContent("<a/>", Encoding.UTF8, "application/xml"));
        Assert.That((int)noKey.StatusCode, Is.EqualTo(404));
    }
}
