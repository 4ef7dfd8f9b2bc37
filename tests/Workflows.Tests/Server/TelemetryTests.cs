using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Server;

/// <summary>OpenTelemetry: traces and metrics go to the configured OTLP endpoint; the trace context reaches the services a process calls.</summary>
// Alone: meters are found by name in the whole process, so another test's server running at the same
// time registers the same instrument names, and the exporter may bind them to that server's meter.
[NonParallelizable]
public sealed class TelemetryTests
{
    [Test]
    public async Task A_request_its_steps_and_the_outgoing_call_share_one_trace_exported_over_OTLP()
    {
        await using var fake = await FakeService.StartAsync();
        fake.RecordRequests = true;
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = fake.BaseAddress.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        var (conv, hash) = await server.CreateProcess(Single("api", new JsonObject { ["method"] = "GET", ["url"] = fake.Url("/order/7"), ["response_key"] = "order" }));

        // The caller's own trace: the public request continues it, and so does the call the api node makes.
        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).Start();
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        var traceId = caller.TraceId.ToHexString();
        using var response = await server.Http.PostJsonAsync($"/api/1/json/public/{conv}/{hash}", """{"ops":[{"type":"create","obj":"task","data":{}}]}""");
        caller.Stop();
        var answer = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var task = await server.WaitFor((string)answer["ops"]![0]!["obj_id"]!);
        Assert.That((string?)task["node_id"], Is.EqualTo("ok"), task.ToJsonString());

        var call = fake.Requests.Single(r => r.Path == "/order/7");
        Assert.That(call.TraceParent, Does.Match($"^00-{traceId}-[0-9a-f]{{16}}-0[13]$"));
        Assert.That(call.TraceParent, Does.Not.Contain(caller.SpanId.ToHexString()), "the call is a span of its own, not the caller's");

        // The exported spans name the step and carry the caller's trace id (raw bytes in OTLP's protobuf).
        var traceBytes = Convert.FromHexString(traceId);
        await Until(() => fake.Exports.Any(e => e.Signal == "traces" && Contains(e.Body, traceBytes) && Contains(e.Body, "step api"u8.ToArray())), "no span of the api step in the OTLP traces");
        await Until(() => fake.Exports.Any(e => e.Signal == "metrics" && Contains(e.Body, "workflows_tasks_created"u8.ToArray())), "no engine metrics in the OTLP export");

        // /metrics keeps its Prometheus text beside the exporter.
        var text = await server.Http.GetStringAsync("/metrics");
        Assert.That(text, Does.Contain($"workflows_tasks_created{{conv_id=\"{conv}\"}} 1"));
    }

    static bool Contains(byte[] body, byte[] part) => body.AsSpan().IndexOf(part) >= 0;

    static async Task Until(Func<bool> condition, string failure)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail(failure);
            await Task.Delay(50);
        }
    }
}
