using System.Text.Json.Nodes;
using Workflows.Simulators;
using Workflows.Tests.Support;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.VoxImplant;

public sealed class VoxImplantTests
{
    /// <summary>start → call (voximplant.start_scenario) → wait (wait_callback, task_id_path task_id) → condition on result → finals.</summary>
    static string RobotCall(string credential) => TestProcesses.Definition("robot call",
        TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "call" }),
        TestProcesses.Node("call", "voximplant.start_scenario", new JsonObject
        {
            ["credential"] = credential, ["rule_id"] = "3141592", ["phone"] = "{{phone}}", ["wait_node"] = "wait",
            ["custom_data"] = new JsonObject { ["order"] = "{{order_id}}" },
        }, new JsonObject { ["next"] = "wait", ["error"] = "err" }),
        TestProcesses.Node("wait", "wait_callback", new JsonObject { ["timeout_seconds"] = 30, ["task_id_path"] = "task_id" },
            new JsonObject { ["next"] = "done", ["timeout"] = "err" }),
        TestProcesses.Final("done"),
        TestProcesses.Final("err", "error"));

    [TestCase("79161234567", "answered")]
    [TestCase("79161234560", "no_answer")]
    [TestCase("79161234561", "busy")]
    [TestCase("79161234562", "answering_machine")]
    [TestCase("79161234563", "invalid_number")]
    public async Task Start_scenario_then_the_callback_wakes_the_waiting_task(string phone, string outcome)
    {
        var (conv, hash) = await TestHost.CreateProcess(RobotCall("demo-voximplant"));
        var id = await TestHost.CreateTask(conv, hash, new JsonObject { ["phone"] = phone, ["order_id"] = "A-1" });
        var task = await TestHost.WaitFor(id);
        Assert.That((string?)task["node_id"], Is.EqualTo("done"), task.ToJsonString());
        Assert.That((string?)task["data"]!["result"], Is.EqualTo(outcome));
        Assert.That(task["data"]!["call_session_id"]!.ToJsonString(), Is.EqualTo(task["data"]!["call_session_history_id"]!.ToJsonString()));
        var started = Sims.VoxImplant.Started.Last(s => ((string)s["script_custom_data"]!).Contains(id, StringComparison.Ordinal));
        var custom = JsonNode.Parse((string)started["script_custom_data"]!)!;
        Assert.That((string?)custom["phone"], Is.EqualTo(phone));
        Assert.That((string?)custom["order"], Is.EqualTo("A-1"));
        Assert.That((string?)custom["callback_url"], Does.EndWith($"/api/1/json/callback/{conv}/{hash}/wait"));
    }

    [Test]
    public async Task Outcome_can_be_overridden_per_number()
    {
        Sims.VoxImplant.Outcomes["79005550007"] = "busy";
        var (conv, hash) = await TestHost.CreateProcess(RobotCall("demo-voximplant"));
        var task = await TestHost.WaitFor(await TestHost.CreateTask(conv, hash, new JsonObject { ["phone"] = "79005550007" }));
        Assert.That((string?)task["data"]!["result"], Is.EqualTo("busy"));
    }

    [Test]
    public async Task Wrong_api_key_is_a_software_auth_error()
    {
        var task = await Run("voximplant.start_scenario", new JsonObject { ["credential"] = "bad-voximplant", ["rule_id"] = "1", ["wait_node"] = "n" }, new JsonObject { ["phone"] = "79161234567" });
        FailedWith(task, "voximplant", "software", "auth_failed");
        Assert.That(ErrorText(task, "voximplant"), Does.Contain("Authorization failed"));
        Assert.That(ErrorText(task, "voximplant"), Does.Not.Contain("wrong"));
    }

    [Test]
    public async Task Rate_limit_is_retried_then_succeeds()
    {
        Sims.VoxImplant.FailNext = 2;
        var task = await Run("voximplant.start_scenario", new JsonObject { ["credential"] = "demo-voximplant", ["rule_id"] = "1", ["callback_url"] = "http://127.0.0.1:9/none" }, new JsonObject { ["phone"] = "79161234567" });
        Succeeded(task, "voximplant");
        Assert.That(task["data"]!["call_session_id"], Is.Not.Null);
    }

    [Test]
    public async Task Invalid_rule_is_a_permanent_error()
    {
        var task = await Run("voximplant.start_scenario", new JsonObject { ["credential"] = "demo-voximplant", ["rule_id"] = "not-a-rule", ["callback_url"] = "http://127.0.0.1:9/none" }, new JsonObject { ["phone"] = "79161234567" });
        FailedWith(task, "voximplant", "software", "voximplant_error");
        Assert.That(ErrorText(task, "voximplant"), Does.Contain("Invalid rule_id"));
    }

    [Test]
    public void Outcome_by_last_digit() =>
        Assert.That(new[] { "1230", "1231", "1232", "1233", "1234" }.Select(VoxImplantSimulator.OutcomeByDigit),
            Is.EqualTo(new[] { "no_answer", "busy", "answering_machine", "invalid_number", "answered" }));
}
