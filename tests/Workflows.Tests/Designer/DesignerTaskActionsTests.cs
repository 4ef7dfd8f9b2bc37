using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Workflows.Tests.Support;
using static Microsoft.Playwright.Assertions;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Designer;

/// <summary>Acting on tasks from the tasks panel: wake with data, retry all failed of a node, delete; the list follows the counters and filters.</summary>
public sealed class DesignerTaskActionsTests : BrowserFixture
{
    /// <summary>start → wait (wait_callback) → done.</summary>
    static string WaitingProcess(string title) => Definition(title,
        Node("start", "start", exits: P("""{"next":"wait"}""")),
        Node("wait", "wait_callback", P("""{"timeout_seconds":3600}"""), P("""{"next":"done","timeout":"failed"}""")),
        Final("done"),
        Final("failed", "error"));

    /// <summary>start → calc → ok; calc fails unless the task carries "fixed" (then failed, an error final).</summary>
    static string FailingProcess(string title) => Definition(title,
        Node("start", "start", exits: P("""{"next":"calc"}""")),
        Node("calc", "code", P("""{"src":"if (!data.fixed) { throw new Error('CRM is down'); } data.done = true;"}"""), P("""{"next":"ok","error":"failed"}""")),
        Final("ok"), Final("failed", "error"));

    async Task OpenTasksOf(long conv, string nodeId)
    {
        await OpenEditor(conv);
        await NodeOnCanvas(nodeId).Locator(".wf-node-body").ClickAsync();
        await Tab("Tasks").ClickAsync();
        await Expect(Page.Locator(".side .pad").First).ToContainTextAsync($"Tasks in node {nodeId}");
    }

    ILocator Items => Page.Locator(".side ul.tasks li");

    [Test]
    public async Task A_task_waiting_for_a_callback_is_woken_with_data_from_the_designer()
    {
        var (conv, hash) = await Server.CreateProcess(WaitingProcess("wake"));
        var id = await Server.CreateTask(conv, hash, new() { ["order"] = 1 }, "order-1");
        await Server.WaitFor(id, "waiting");

        await OpenTasksOf(conv, "wait");
        await Items.First.ClickAsync();
        await Expect(Page.Locator(".task-head .status")).ToHaveTextAsync("waiting");
        // Not JSON: a sentence, and nothing sent.
        await Page.GetByTestId("wake-data").FillAsync("{paid");
        await Page.GetByTestId("wake-task").ClickAsync();
        await Expect(Page.Locator(".side .alert.error")).ToContainTextAsync("not valid JSON");
        Assert.That((string?)(await Server.Task(id))["status"], Is.EqualTo("waiting"));

        await Page.GetByTestId("wake-data").FillAsync("""{"paid": true, "amount": 12.5}""");
        await Page.GetByTestId("wake-task").ClickAsync();
        await Expect(Page.Locator(".task-head .status")).ToHaveTextAsync("success");
        await Expect(Page.GetByTestId("wake-form")).ToHaveCountAsync(0);
        var task = await Server.WaitFor(id);
        Assert.That((string?)task["node_id"], Is.EqualTo("done"));
        Assert.That((bool?)task["data"]!["paid"], Is.True);
        Assert.That((double?)task["data"]!["amount"], Is.EqualTo(12.5));
    }

    [Test]
    public async Task The_list_of_a_node_follows_the_counters_without_a_refresh()
    {
        var (conv, hash) = await Server.CreateProcess(WaitingProcess("follow"));
        var first = await Server.CreateTask(conv, hash, [], "first");
        var second = await Server.CreateTask(conv, hash, [], "second");
        await Server.WaitFor(first, "waiting");
        await Server.WaitFor(second, "waiting");

        await OpenTasksOf(conv, "wait");
        await Expect(Items).ToHaveCountAsync(2);
        // Woken from outside: it leaves the node's list, no click on ↻.
        using (var response = await Server.Http.PostJsonAsync($"/api/tasks/{first}/callback", "{}"))
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await Expect(Items).ToHaveCountAsync(1);
        await Expect(Items.First).ToContainTextAsync("second");
        // A new one comes in.
        await Server.CreateTask(conv, hash, [], "third");
        await Expect(Items).ToHaveCountAsync(2);
    }

    [Test]
    public async Task The_list_filters_by_result()
    {
        var (conv, hash) = await Server.CreateProcess(FailingProcess("filter"));
        var good = await Server.CreateTask(conv, hash, new() { ["fixed"] = true }, "good");
        var bad = await Server.CreateTask(conv, hash, [], "bad");
        await Server.WaitFor(good);
        await Server.WaitFor(bad);

        await OpenEditor(conv);
        await Tab("Tasks").ClickAsync();
        await Expect(Items).ToHaveCountAsync(2);
        await Page.GetByTestId("task-result-filter").SelectOptionAsync("error");
        await Expect(Items).ToHaveCountAsync(1);
        await Expect(Items.First).ToContainTextAsync("bad");
        await Page.GetByTestId("task-result-filter").SelectOptionAsync("success");
        await Expect(Items).ToHaveCountAsync(1);
        await Expect(Items.First).ToContainTextAsync("good");

        // The failed one's data: the error apart from the data, in words.
        await Page.GetByTestId("task-result-filter").SelectOptionAsync("error");
        await Expect(Items.First).ToContainTextAsync("bad");
        await Items.First.ClickAsync();
        await Expect(Page.GetByTestId("task-error-details")).ToContainTextAsync("CRM is down");
        await Expect(Page.GetByTestId("task-data")).Not.ToContainTextAsync("__conveyor_");
    }

    [Test]
    public async Task Retry_all_failed_sends_every_task_that_failed_in_the_node_back()
    {
        var (conv, hash) = await Server.CreateProcess(FailingProcess("bulk retry"));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await Server.CreateTask(conv, hash, [], $"fail-{i}"));
        foreach (var id in ids) await Server.WaitFor(id);

        await OpenTasksOf(conv, "calc");
        await Page.GetByTestId("retry-node").ClickAsync();
        await Expect(Page.GetByTestId("tasks-done")).ToContainTextAsync("3 tasks sent back to calc");
        foreach (var id in ids)
        {
            // Still failing (nothing changed): each ran calc again and failed a second time.
            var task = await WaitForFailures(id, 2);
            Assert.That((string?)task["node_id"], Is.EqualTo("failed"));
        }
    }

    async Task<JsonNode> WaitForFailures(string id, int count)
    {
        for (var i = 0; ; i++)
        {
            var task = await Server.WaitFor(id);
            if (task["history"]!.AsArray().Count(step => (string?)step!["outcome"] == "fail") >= count || i > 50) return task;
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task A_task_is_deleted_after_a_confirmation()
    {
        var (conv, hash) = await Server.CreateProcess(WaitingProcess("delete"));
        var keep = await Server.CreateTask(conv, hash, [], "keep");
        var gone = await Server.CreateTask(conv, hash, [], "gone");
        await Server.WaitFor(keep, "waiting");
        await Server.WaitFor(gone, "waiting");

        await OpenTasksOf(conv, "wait");
        await Items.Filter(new() { HasText = "gone" }).ClickAsync();
        // Dismissed: nothing deleted.
        Page.Dialog += DismissOnce;
        await Page.GetByTestId("delete-task").ClickAsync();
        await Expect(Page.Locator(".task-head code")).ToHaveTextAsync(gone);
        Assert.That((string?)(await Server.Task(gone))["status"], Is.EqualTo("waiting"));

        string? asked = null;
        Page.Dialog += async (_, dialog) => { asked = dialog.Message; await dialog.AcceptAsync(); };
        await Page.GetByTestId("delete-task").ClickAsync();
        await Expect(Items).ToHaveCountAsync(1);
        await Expect(Items.First).ToContainTextAsync("keep");
        Assert.That(asked, Does.Contain("gone"));
        using var response = await Server.Http.GetAsync($"/api/tasks/{gone}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    void DismissOnce(object? sender, IDialog dialog)
    {
        Page.Dialog -= DismissOnce;
        _ = dialog.DismissAsync();
    }
}
