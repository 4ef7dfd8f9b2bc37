using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Server.Demo;
using Workflows.Engine.Runtime;
using Workflows.Simulators;
using Workflows.Tests.Support;

namespace Workflows.Tests.Processes;

/// <summary>
/// The real server in demo mode (its own simulators and demo credentials, the bundled processes): an
/// order posted as the landing page posts it goes through the four plumbing-shop templates, and the
/// operator's click-to-call rings through the Beeline simulator, whose call events move the task.
/// </summary>
[Category(Categories.Flows)]
public sealed class PlumbingShopDemoTests
{
    [Test]
    public async Task A_landing_order_flows_through_the_four_templates_and_the_call_outcome_moves_the_task()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 11, 0, 0, TimeSpan.FromHours(3)));   // 11:00 in Moscow: working hours
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Workflows:Demo"] = "true",
            ["Workflows:ProcessesFolder"] = TemplateFixture.ProcessesFolder,
            ["Workflows:Connectors:RetryBaseDelayMs"] = "5",
        }, s => s.AddSingleton<IClock>(clock));
        var sims = server.Get<DemoMode>().Simulators!;
        async Task<string> Hash(long conv) => (string)(await server.GetJson($"/api/processes/{conv}"))["hash"]!;
        async Task<string> ByRef(long conv, string reference)
        {
            for (var until = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(20))
            {
                var list = (await server.GetJson($"/api/processes/{conv}/tasks?ref={Uri.EscapeDataString(reference)}")).AsArray();
                if (list.Count > 0) return (string)list[0]!["obj_id"]!;
                if (DateTime.UtcNow > until) throw new TimeoutException($"no task {reference} in {conv}");
            }
        }

        // The schedules' tasks: the subscription keeper and the catalogue export.
        await server.WaitFor(await server.CreateTask(15004, await Hash(15004), new JsonObject { ["kind"] = "watchdog" }));
        await server.WaitFor(await ByRef(15004, "beeline-subscription-keeper"), "waiting");
        var export = await server.WaitFor(await server.CreateTask(15006, await Hash(15006), new JsonObject { ["kind"] = "catalogue-export" }), timeoutMs: 20_000);
        Assert.That((string?)export["node_id"], Is.EqualTo("exported"), export.ToJsonString());
        Assert.That(sims.RetailCrm.Offers.ContainsKey("WC-WALL-02"), Is.True);

        // The landing page posts its form to the process's webhook.
        var form = new JsonObject
        {
            ["order_id"] = "DEMO-1", ["name"] = "Пётр Иванов", ["phone"] = "+7 (916) 700-11-27", ["email"] = "petr@example.com",
            ["address"] = "ул. Центральная, 1", ["district"] = "Центральный", ["landing"] = "unitaz-promo", ["utm_source"] = "yandex",
            ["items"] = new JsonArray(new JsonObject { ["code"] = "WC-WALL-02", ["quantity"] = 1 }, new JsonObject { ["code"] = "INST-03", ["quantity"] = 1 }),
        };
        using var posted = await server.Http.PostJsonAsync($"/webhook/15002/{await Hash(15002)}?ref=landing-DEMO-1", form.ToJsonString());
        Assert.That((int)posted.StatusCode, Is.EqualTo(202), await posted.Content.ReadAsStringAsync());
        var landing = await server.WaitFor(await ByRef(15002, "landing-DEMO-1"));
        Assert.That((string?)landing["node_id"], Is.EqualTo("created"), landing.ToJsonString());

        // The status matrix assigns an operator, who calls the customer through the PBX.
        var matrix = await server.WaitFor(await ByRef(15001, "new-DEMO-1"));
        Assert.That((string?)matrix["node_id"], Is.EqualTo("operator_assigned"), matrix.ToJsonString());
        var call = await server.WaitFor(await ByRef(15003, "call-DEMO-1"));
        Assert.That((string?)call["node_id"], Is.EqualTo("answered"), call.ToJsonString());
        var callId = (string)call["data"]!["call_id"]!;
        var pbxCall = sims.Beeline.CallLog[callId];
        Assert.That(pbxCall.UserId, Does.StartWith(((string)matrix["data"]!["operator_name"]! switch { "Анна" => "anna", "Борис" => "boris", _ => "vera" })));
        Assert.That(sims.Beeline.Events.Count(e => e.Xml.Contains(callId, StringComparison.Ordinal)), Is.EqualTo(3), "originated, answered, released");
        var order = sims.RetailCrm.Orders.Values.Single(o => (string?)o["externalId"] == "DEMO-1");
        Assert.That((int?)order["customFields"]!["call_duration"], Is.EqualTo(BeelineSimulator.AnsweredSeconds));
        Assert.That((string?)order["customFields"]!["call_recording"], Does.EndWith(".mp3"));

        // The operator confirms in RetailCRM; its trigger posts the change to the status matrix and to the sync.
        var change = new JsonObject
        {
            ["order_id"] = "DEMO-1", ["status"] = "confirmed", ["previous_status"] = "new",
            ["changed_by"] = new JsonObject { ["role"] = "operator", ["name"] = (string?)matrix["data"]!["operator_name"] },
            ["customer"] = new JsonObject { ["name"] = "Пётр Иванов", ["phone"] = "79167001127" }, ["district"] = "Центральный",
            ["items"] = matrix["data"]!["items"]!.DeepClone(),
        };
        var confirmed = await server.WaitFor(await server.CreateTask(15001, await Hash(15001), change));
        Assert.That((string?)confirmed["node_id"], Is.EqualTo("fitter_assigned"), confirmed.ToJsonString());
        var synced = await server.WaitFor(await server.CreateTask(15005, await Hash(15005), new JsonObject { ["order_id"] = "DEMO-1", ["status"] = "confirmed" }));
        Assert.That((string?)synced["node_id"], Is.EqualTo("mirrored"), synced.ToJsonString());
        Assert.That(sims.MoySklad.OrderNamed("DEMO-1")!.State, Is.EqualTo("Подтвержден"));
        Assert.That(sims.MoySklad.Products["8f1a2b3c-0000-4000-8000-00000000a002"].Reserve, Is.EqualTo(1));
    }
}
