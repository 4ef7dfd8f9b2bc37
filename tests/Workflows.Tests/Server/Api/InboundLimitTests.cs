using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Server.Api;

/// <summary>Body size, nesting depth, ops per request and the per-process rate limit answer clearly.</summary>
public sealed class InboundLimitTests
{
    TestServer _server = null!;
    long _conv;
    string _hash = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(new() { ["Workflows:PublicRequestsPerSecond"] = "5", ["Workflows:UserRequestsPerSecond"] = "5", ["Workflows:PublicMaxBodyBytes"] = "200000" });
        (_conv, _hash) = await _server.CreateProcess(Single("set_param", JsonNode.Parse("""{"values":{"a":1}}""")!.AsObject()));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> Post(string body)
    {
        var response = await _server.Http.PostJsonAsync($"/api/1/json/public/{_conv}/{_hash}", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    [Test, Order(4)]
    public async Task An_api_user_who_floods_the_management_api_gets_429s()
    {
        await Task.Delay(1100);
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await _server.Http.GetAsync("/api/processes");
            return response.StatusCode;
        }));
        Assert.That(answers, Has.Some.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(answers, Has.Some.EqualTo(HttpStatusCode.OK));
    }

    [Test, Order(1)]
    public async Task A_body_over_the_limit_is_a_413_and_deep_nesting_a_format_error()
    {
        await Task.Delay(1100); // a fresh second of rate budget
        var (status, body, _) = await Post("{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":{\"x\":\"" + new string('x', 300_000) + "\"}}]}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That((string?)body!["description"], Does.Contain("limit"));

        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200);
        var (deepStatus, deepBody, _) = await Post("{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":" + deep + "}]}");
        Assert.That(deepStatus, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)deepBody!["request_proc"], Is.EqualTo("format_error"));
        Assert.That((string?)deepBody["description"], Does.Contain("depth"));
    }

    [Test, Order(2)]
    public async Task Too_many_ops_in_one_request_are_refused_whole()
    {
        await Task.Delay(1100);
        var ops = string.Join(",", Enumerable.Repeat("{\"type\":\"create\",\"obj\":\"task\",\"data\":{}}", 1001));
        var (status, body, _) = await Post("{\"ops\":[" + ops + "]}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)body!["request_proc"], Is.EqualTo("format_error"));
        Assert.That((string?)body["description"], Does.Contain("1000"));
    }

    [Test, Order(3)]
    public async Task A_flood_into_one_process_gets_429s_with_retry_after()
    {
        await Task.Delay(1100);
        // Forty at once: the bucket holds twice the rate (10), so most of them must be refused.
        var answers = (await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Post("{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":{}}]}")))).ToList();
        var limited = answers.Where(a => a.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.That(limited, Is.Not.Empty);
        Assert.That(answers.Count(a => a.Status == HttpStatusCode.OK), Is.InRange(10, 30));
        Assert.That(limited[0].Response.Headers.RetryAfter, Is.Not.Null);
        Assert.That((string?)limited[0].Body!["request_proc"], Is.EqualTo("error"));
        foreach (var a in answers) a.Response.Dispose();
    }
}
