using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workflows.Tests.Support;
using static Microsoft.Playwright.Assertions;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Designer;

/// <summary>The Test run panel: a debug run with pinned input and a pinned API answer, stepped through to the end.</summary>
public sealed class DesignerTestRunTests : BrowserFixture
{
    static JsonObject Titled(JsonObject node, string title)
    {
        node["title"] = title;
        return node;
    }

    [Test]
    public async Task A_debug_run_with_a_pinned_api_answer_is_stepped_through_to_the_end_without_calling_out()
    {
        // The CRM the API-call node points at: it must get nothing.
        await using var crm = await FakeService.StartAsync();
        var (conv, _) = await Server.CreateProcess(Definition("Send a lead",
            Node("start", "start", exits: P("""{"next":"prepare"}""")),
            Titled(Node("prepare", "set_param", P("""{"values":{"stage":"calling"}}"""), P("""{"next":"call"}""")), "Mark the lead"),
            Titled(Node("call", "api", new JsonObject { ["method"] = "POST", ["url"] = crm.Url("/lead"), ["response_key"] = "crm" }, P("""{"next":"done","error":"failed"}""")), "Send to the CRM"),
            Titled(Final("done"), "Lead sent"),
            Final("failed", "error")));

        await OpenEditor(conv);
        await Tab("Test run").ClickAsync();
        await Page.GetByTestId("test-input").FillAsync("""{"phone": "+7 916 000-00-00"}""");
        await Expect(Page.GetByTestId("test-debug")).ToBeCheckedAsync();
        await Page.GetByTestId("pin-on-call").CheckAsync();
        await Page.GetByTestId("pin-status-call").FillAsync("201");
        await Page.GetByTestId("pin-body-call").FillAsync("""{"lead_id": 7}""");
        await Page.GetByTestId("start-test").ClickAsync();

        // Stopped before the first node, which is highlighted on the canvas.
        var state = Page.GetByTestId("test-state");
        await Expect(state).ToHaveTextAsync("Stopped before “Start”");
        await Expect(NodeOnCanvas("start").Locator(".wf-node")).ToHaveClassAsync(new Regex(@"\bdebug-here\b"));

        await Page.GetByTestId("debug-step").ClickAsync();
        await Expect(state).ToHaveTextAsync("Stopped before “Mark the lead”");
        await Expect(NodeOnCanvas("prepare").Locator(".wf-node")).ToHaveClassAsync(new Regex(@"\bdebug-here\b"));
        await Expect(NodeOnCanvas("start").Locator(".wf-node")).Not.ToHaveClassAsync(new Regex(@"\bdebug-here\b"));

        // A breakpoint on the final node, toggled on the selected node; Continue runs the API call to it.
        await NodeOnCanvas("done").Locator(".wf-node-body").ClickAsync();
        await Page.GetByTestId("toggle-breakpoint").ClickAsync();
        await Expect(NodeOnCanvas("done").GetByTestId("breakpoint")).ToBeVisibleAsync();
        await Page.GetByTestId("debug-continue").ClickAsync();
        await Expect(state).ToHaveTextAsync("Stopped before “Lead sent”");
        await Expect(NodeOnCanvas("done").Locator(".wf-node")).ToHaveClassAsync(new Regex(@"\bdebug-here\b"));

        // Each step with its node's title, what it changed, and the whole data before and after it.
        var call = Page.GetByTestId("step").Filter(new() { HasText = "Send to the CRM" });
        await Expect(call).ToHaveCountAsync(1);
        await Expect(call.Locator("table.changes")).ToContainTextAsync("crm");
        await Expect(call.Locator("table.changes")).ToContainTextAsync("added: {\"lead_id\":7}");
        await call.Locator("details summary").ClickAsync();
        await Expect(call.GetByTestId("data-before")).Not.ToContainTextAsync("lead_id");
        await Expect(call.GetByTestId("data-before")).ToContainTextAsync("\"stage\": \"calling\"");
        await Expect(call.GetByTestId("data-after")).ToContainTextAsync("\"lead_id\": 7");
        await Expect(Page.GetByTestId("test-data")).ToContainTextAsync("+7 916 000-00-00");

        await Page.GetByTestId("debug-step").ClickAsync();
        await Expect(state).ToHaveTextAsync("Finished: success, in “Lead sent”");
        await Expect(Page.GetByTestId("debug-step")).ToBeDisabledAsync();
        await Expect(Page.Locator(".wf-node.debug-here")).ToHaveCountAsync(0);

        // Nothing was called, and the test task is counted nowhere.
        Assert.That(crm.Calls, Is.Zero, "the pinned answer should have kept the call from leaving");
        var counters = await Server.GetJson($"/api/processes/{conv}/counters");
        foreach (var (node, counter) in counters["nodes"]!.AsObject())
            Assert.That((long?)counter!["entered"] + (long?)counter["now"], Is.Zero, $"node {node} counted the test task");

        // The task list marks it as a test task.
        await Page.GetByTestId("test-new").ClickAsync();
        await Page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 5, Y = 5 } });
        await Tab("Tasks").ClickAsync();
        await Expect(Page.Locator(".side ul.tasks li")).ToHaveCountAsync(1);
        await Expect(Page.Locator(".side ul.tasks li .tag")).ToHaveTextAsync("test");
    }

    [Test]
    public async Task A_test_run_says_what_is_wrong_with_its_input()
    {
        var (conv, _) = await Server.CreateProcess(Definition("Bad input",
            Node("start", "start", exits: P("""{"next":"done"}""")),
            Final("done")));
        await OpenEditor(conv);
        await Tab("Test run").ClickAsync();
        await Page.GetByTestId("test-input").FillAsync("""{"phone": """);
        await Page.GetByTestId("start-test").ClickAsync();
        await Expect(Page.GetByTestId("test-error")).ToContainTextAsync("The input data is not JSON");
        var tasks = await Server.GetJson($"/api/processes/{conv}/tasks");
        Assert.That(tasks.AsArray(), Is.Empty);
    }
}
