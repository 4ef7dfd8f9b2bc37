using Workflows.Tests.Support;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Designer;

/// <summary>Watching tasks in the browser: live counters, a task's history and path, the public API panel.</summary>
public sealed class DesignerRuntimeTests : BrowserFixture
{
    /// <summary>start → calc (code) → wait (wait_callback) → done; calc's error → failed.</summary>
    static string WaitingProcess(string title) => Definition(title,
        Node("start", "start", exits: P("""{"next":"calc"}""")),
        Node("calc", "code", P("""{"src":"data.total = (data.price || 0) * 2;"}"""), P("""{"next":"wait","error":"failed"}""")),
        Node("wait", "wait_callback", P("""{"timeout_seconds":3600}"""), P("""{"next":"done","timeout":"failed"}""")),
        Final("done"),
        Final("failed", "error"));

    async Task Callback(string objId, string json = "{}")
    {
        using var response = await Server.Http.PostJsonAsync($"/api/tasks/{objId}/callback", json);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Live_counters_follow_the_tasks_waiting_in_a_node()
    {
        var (conv, hash) = await Server.CreateProcess(WaitingProcess("live counters"));
        await OpenEditor(conv);
        var counter = NodeOnCanvas("wait").Locator(".wf-counter");
        await Expect(counter).ToHaveCountAsync(0);

        await Page.Locator("label.toggle", new() { HasText = "Live" }).ClickAsync();
        await Expect(Page.Locator("label.toggle")).ToHaveClassAsync(new Regex(@"\bon\b"));
        await Expect(counter).ToHaveTextAsync("0");
        await Expect(Tab("Tasks")).ToHaveClassAsync("on");

        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await Server.CreateTask(conv, hash, new() { ["price"] = i }, $"live-{i}"));
        await Expect(counter).ToHaveTextAsync("3");
        await Expect(counter).ToHaveClassAsync(new Regex(@"\bbusy\b"));
        await Expect(NodeOnCanvas("done").Locator(".wf-counter")).ToHaveTextAsync("0");

        // The first one is woken through the public API (modify by ref), as a shop would.
        var modify = await Server.PostJson($"/api/1/json/public/{conv}/{hash}",
            """{"ops":[{"type":"modify","obj":"task","ref":"live-0","data":{"paid":true}}]}""");
        Assert.That((string?)modify["ops"]![0]!["proc"], Is.EqualTo("ok"), modify.ToJsonString());
        await Expect(counter).ToHaveTextAsync("2");
        await Server.WaitFor(ids[0]);
        await Callback(ids[1]);
        await Callback(ids[2]);
        await Expect(counter).ToHaveTextAsync("0");
        await Expect(counter).Not.ToHaveClassAsync(new Regex(@"\bbusy\b"));

        // Live off: the badges go away.
        await Page.Locator("label.toggle", new() { HasText = "Live" }).ClickAsync();
        await Expect(counter).ToHaveCountAsync(0);
    }

    [Test]
    public async Task A_failed_task_is_sent_back_to_its_failing_step_from_its_history()
    {
        // The code fails until the task carries "fixed": the retry runs the failing node again.
        var (conv, hash) = await Server.CreateProcess(Definition("retry",
            Node("start", "start", exits: P("""{"next":"calc"}""")),
            Node("calc", "code", P("""{"src":"if (!data.fixed) { throw new Error('CRM is down'); } data.done = true;"}"""), P("""{"next":"ok","error":"failed"}""")),
            Final("ok"), Final("failed", "error")));
        var id = await Server.CreateTask(conv, hash, [], "retry-me");
        await Server.WaitFor(id);

        await OpenEditor(conv);
        await NodeOnCanvas("failed").Locator(".wf-node-body").ClickAsync();
        await Tab("Tasks").ClickAsync();
        await Page.Locator(".side ul.tasks li").First.ClickAsync();
        await Expect(Page.Locator(".task-head .status")).ToHaveTextAsync("error");
        await Page.GetByTestId("retry-task").ClickAsync();
        // Still failing (nothing changed): the history now shows the retry and the second failure.
        await Expect(Page.Locator(".side ol.history li", new() { HasText = "retry" })).ToHaveCountAsync(1);
        var task = await Server.WaitFor(id);
        Assert.That(task["history"]!.AsArray().Count(step => (string?)step!["outcome"] == "fail"), Is.EqualTo(2));
        Assert.That((string?)task["node_id"], Is.EqualTo("failed"));
    }

    [Test]
    public async Task A_task_from_a_nodes_list_shows_its_history_and_path()
    {
        var (conv, hash) = await Server.CreateProcess(WaitingProcess("task history"));
        var finished = await Server.CreateTask(conv, hash, new() { ["price"] = 5 }, "order-5");
        await Server.WaitFor(finished, "waiting");
        await Callback(finished, """{"paid":true}""");
        await Server.WaitFor(finished);
        var other = await Server.CreateTask(conv, hash, new() { ["price"] = 7 }, "order-7");
        await Server.WaitFor(other, "waiting");

        await OpenEditor(conv);
        await NodeOnCanvas("done").Locator(".wf-node-body").ClickAsync();
        await Expect(NodeOnCanvas("done").Locator(".wf-node")).ToHaveClassAsync(new Regex(@"\bselected\b"));
        await Tab("Tasks").ClickAsync();
        await Expect(Page.Locator(".side .pad").First).ToContainTextAsync("Tasks in node done");
        var items = Page.Locator(".side ul.tasks li");
        await Expect(items).ToHaveCountAsync(1);
        await Expect(items.First).ToContainTextAsync("order-5");

        await items.First.ClickAsync();
        await Expect(Page.Locator(".task-head code")).ToHaveTextAsync(finished);
        await Expect(Page.Locator(".task-head .status")).ToHaveTextAsync("success");
        var steps = Page.Locator(".side ol.history li");
        // Each step is named by its node's title (the node type's title where the node has none), its id on hover.
        await Expect(steps.Last.Locator("b")).ToHaveTextAsync("Final");
        await Expect(steps.Last.Locator("b")).ToHaveAttributeAsync("title", "done");
        var nodes = (await steps.Locator(".row > b").EvaluateAllAsync<string[]>("bs => bs.map(b => b.title)")).Distinct().ToList();
        Assert.That(nodes, Is.EqualTo(new[] { "start", "calc", "wait", "done" }));
        await Expect(Page.Locator(".side pre.json").First).ToContainTextAsync("\"paid\": true");

        // The path on the canvas: the nodes and edges it took, not the others.
        await Expect(Page.Locator(".path-bar")).ToContainTextAsync(finished);
        foreach (var id in new[] { "start", "calc", "wait", "done" })
            await Expect(NodeOnCanvas(id).Locator(".wf-node")).ToHaveClassAsync(new Regex(@"\bon-path\b"));
        await Expect(NodeOnCanvas("failed").Locator(".wf-node")).Not.ToHaveClassAsync(new Regex(@"\bon-path\b"));
        foreach (var (source, exit) in new[] { ("start", "next"), ("calc", "next"), ("wait", "next") })
            await Expect(EdgeOnCanvas(source, exit)).ToHaveClassAsync(new Regex(@"\bedge-path\b"));
        await Expect(EdgeOnCanvas("calc", "error")).Not.ToHaveClassAsync(new Regex(@"\bedge-path\b"));
        await Expect(EdgeOnCanvas("wait", "timeout")).Not.ToHaveClassAsync(new Regex(@"\bedge-path\b"));

        // Clear: back to the list, no path.
        await Page.Locator(".path-bar").GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Expect(Page.Locator(".wf-node.on-path")).ToHaveCountAsync(0);
        await Expect(items).ToHaveCountAsync(1);
    }

    [Test]
    public async Task The_public_api_panel_shows_the_url_and_sends_a_test_task()
    {
        var (conv, hash) = await Server.CreateProcess(WaitingProcess("public api panel"));
        await OpenEditor(conv);
        await Tab("Public API").ClickAsync();
        var url = new Uri(Server.BaseAddress, $"/api/1/json/public/{conv}/{hash}").ToString();
        await Expect(Page.Locator(".url-box code")).ToHaveTextAsync(url);
        await Expect(Page.Locator(".side pre.json")).ToContainTextAsync(url);

        var data = Page.Locator(".side label.field", new() { HasText = "Task data (JSON)" }).Locator("textarea");
        await data.FillAsync("{\"price\": ");
        await Expect(Page.Locator(".side .field-error")).ToContainTextAsync("Not valid JSON");
        await Expect(Page.Locator(".side button", new() { HasText = "Send" })).ToBeDisabledAsync();
        await data.FillAsync("{\"price\": 21, \"from\": \"panel\"}");
        await Page.Locator(".side label.field", new() { HasText = "Reference" }).Locator("input").FillAsync("panel-1");
        await Page.Locator(".side button", new() { HasText = "Send" }).ClickAsync();
        var created = Page.Locator(".side .alert.success code");
        await Expect(created).ToHaveTextAsync(new Regex("^[0-9a-f]{24}$"));
        var objId = (await created.TextContentAsync())!;

        var task = await Server.WaitFor(objId, "waiting");
        Assert.Multiple(() =>
        {
            Assert.That((long?)task["conv_id"], Is.EqualTo(conv));
            Assert.That((string?)task["ref"], Is.EqualTo("panel-1"));
            Assert.That((string?)task["data"]!["from"], Is.EqualTo("panel"));
            Assert.That((int?)task["data"]!["total"], Is.EqualTo(42));
            Assert.That((string?)task["node_id"], Is.EqualTo("wait"));
        });

        // "Follow it" opens the task in the Tasks tab.
        await Page.Locator(".side .alert.success button", new() { HasText = "Follow it" }).ClickAsync();
        await Expect(Tab("Tasks")).ToHaveClassAsync("on");
        await Expect(Page.Locator(".task-head code")).ToHaveTextAsync(objId);
        await Expect(NodeOnCanvas("wait").Locator(".wf-node")).ToHaveClassAsync(new Regex(@"\bon-path\b"));
    }

    /// <summary>A process with most node types and no positions (the designer lays it out), calling <paramref name="crm"/>/echo.</summary>
    static string Showcase(Uri crm) => $$"""
        {
          "title": "Watch shop: new lead",
          "description": "Normalise the phone, check it, wait for the payment and send the lead to the CRM.",
          "nodes": [
            { "id": "start", "type": "start", "title": "Lead from the web form", "exits": { "next": "normalize" } },
            { "id": "normalize", "type": "code", "title": "Normalise the phone",
              "params": { "src": "var phone = String(data.phone || '').replace(/\\D/g, '');\nif (phone.length === 11 && phone.charAt(0) === '8') { phone = '7' + phone.substring(1); }\nif (phone.length === 10 && phone.charAt(0) === '9') { phone = '7' + phone; }\ndata.phone = phone;" },
              "exits": { "next": "check", "error": "failed" } },
            { "id": "check", "type": "condition", "title": "Is the phone dialable?",
              "params": { "rules": [
                { "exit": "too_long", "js": "data.phone.length > 11" },
                { "exit": "ok", "conditions": [ { "param": "phone", "fun": "regexp", "const": "^7\\d{10}$", "cast": "string" } ] } ] },
              "exits": { "too_long": "too_long", "ok": "stamp", "default": "invalid" } },
            { "id": "stamp", "type": "set_param", "title": "Stamp the lead",
              "params": { "values": { "received_at": "$.unixtime()" } }, "exits": { "next": "wait_payment" } },
            { "id": "wait_payment", "type": "wait_callback", "title": "Wait for the payment",
              "params": { "timeout_seconds": 86400, "task_id_path": "metadata.task_id" }, "exits": { "next": "crm", "timeout": "expired" } },
            { "id": "crm", "type": "api", "title": "Send to the CRM",
              "params": { "method": "POST", "url": "{{crm}}echo", "response_key": "crm" }, "exits": { "next": "ready", "error": "failed" } },
            { "id": "ready", "type": "final", "title": "Lead sent", "params": { "result": "success" } },
            { "id": "too_long", "type": "final", "title": "Phone too long", "params": { "result": "error" } },
            { "id": "invalid", "type": "final", "title": "Not a mobile number", "params": { "result": "error" } },
            { "id": "expired", "type": "final", "title": "Not paid in time", "params": { "result": "error" } },
            { "id": "failed", "type": "final", "title": "Failed", "params": { "result": "error" } }
          ]
        }
        """;

    /// <summary>
    /// Runs first (a clean server, so the processes page shows only these processes). The screens of
    /// docs/designer.md; each is checked to have rendered whether or not the files are written.
    /// </summary>
    [Test, Order(0)]
    public async Task The_main_screens_render_and_are_captured()
    {
        await using var crm = await Support.FakeService.StartAsync();
        var (conv, hash) = await Server.CreateProcess(Showcase(crm.BaseAddress));
        var (payments, _) = await Server.CreateProcess(WaitingProcess("Payment confirmation"));
        var (report, _) = await Server.CreateProcess(StartToFinal("Daily sales report"));
        using (await Server.Http.PostAsync($"/api/processes/{report}/pause", null)) { }
        var waiting = new List<string>();
        foreach (var phone in new[] { "8 916 123-45-67", "9031112233", "+7 926 555 44 33", "8 903 777 00 11" })
            waiting.Add(await Server.CreateTask(conv, hash, new() { ["phone"] = phone }, $"lead-{waiting.Count + 1}"));
        await Server.WaitFor(await Server.CreateTask(conv, hash, new() { ["phone"] = "12345" }, "lead-bad"));
        await Server.WaitFor(await Server.CreateTask(conv, hash, new() { ["phone"] = "8916123456789" }, "lead-long"));
        foreach (var id in waiting) await Server.WaitFor(id, "waiting");
        await Callback(waiting[0], """{"status":"succeeded","amount":4990}""");
        var sent = await Server.WaitFor(waiting[0]);
        Assert.That((string?)sent["node_id"], Is.EqualTo("ready"));

        // The processes page.
        await Page.GotoAsync("/");
        await Expect(Page.Locator("table.table tbody tr")).ToHaveCountAsync(3);
        await Expect(Page.Locator("tr", new() { HasText = "Daily sales report" }).Locator(".status")).ToHaveTextAsync("paused");
        await Shot("processes");

        // The editor: the code node selected, its script in the panel.
        await OpenEditor(conv);
        await Expect(Page.Locator(".react-flow__node")).ToHaveCountAsync(11);
        await Expect(Page.Locator(".react-flow__edge")).ToHaveCountAsync(11);
        await NodeOnCanvas("normalize").Locator(".wf-node-body").ClickAsync();
        await Expect(Page.Locator(".side .cm-content")).ToContainTextAsync("data.phone = phone;");
        await Shot("editor");

        // Live: counters on the nodes, the waiting node's tasks in the side panel.
        await Page.Locator("label.toggle", new() { HasText = "Live" }).ClickAsync();
        await Expect(NodeOnCanvas("wait_payment").Locator(".wf-counter")).ToHaveTextAsync("3");
        await NodeOnCanvas("wait_payment").Locator(".wf-node-body").ClickAsync();
        await Expect(Page.Locator(".side ul.tasks li")).ToHaveCountAsync(3);
        await Shot("live");

        // A task's history and its path on the canvas.
        await NodeOnCanvas("ready").Locator(".wf-node-body").ClickAsync();
        await Page.Locator(".side ul.tasks li", new() { HasText = "lead-1" }).ClickAsync();
        await Expect(Page.Locator(".side ol.history li").Last.Locator("b")).ToHaveTextAsync("Lead sent");
        await Expect(Page.Locator(".wf-node.on-path")).ToHaveCountAsync(7);
        await Shot("task-history");

        // The public API panel.
        await Page.Locator(".path-bar").GetByRole(AriaRole.Button, new() { Name = "Clear" }).ClickAsync();
        await Tab("Public API").ClickAsync();
        await Expect(Page.Locator(".url-box code")).ToContainTextAsync(hash);
        await Shot("public-api");
        Assert.That(payments, Is.Not.EqualTo(conv));
    }
}
