using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;
using Workflows.Simulators;
using Workflows.Tests.Support;

namespace Workflows.Tests.Connectors;

/// <summary>The worked example of docs/connectors.md, compiled and run.</summary>
public sealed class ChatPostNode(ConnectorServices services) : ConnectorNode<ChatPostNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, Template Text) : ConnectorPrepared(Credential, null);

    public override NodeDescription Description { get; } = Describe("chat.post", "Chat: post message", "message-circle", "chat_webhook",
        [new ParamSpec("text", ParamKind.Template, "Text", Required: true)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, _) = Common(context);
        var text = context.Template("text", required: true);
        return text is null ? null : new Prepared(credential, text);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, "chat_webhook", step.Cancellation);
        if (credential is null) return failure;
        var body = new JsonObject { ["text"] = Render(step, node.Text) };
        var result = await Services.Vendor.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, credential["url"]) { Content = VendorCall.JsonBody(body) },
            reply => Verdict.FromStatus(reply),
            step.Cancellation);
        return result.Ok ? NodeOutcome.Go() : result.Failure;
    }
}

public sealed class ChatSimulator : HttpSimulator
{
    protected override void Map(WebApplication app) =>
        app.MapPost("/hook/{key}", async (string key, HttpRequest request) =>
        {
            if (key != "good") return Json(new JsonObject { ["error"] = "invalid_token" }, 403);
            if (TakeFailure()) return Json(new JsonObject { ["error"] = "rate_limited" }, 429);
            Sent.Enqueue((JsonObject)(await JsonNode.ParseAsync(request.Body))!);
            return Json(new JsonObject { ["ok"] = true });
        });
}

public sealed class ExampleConnectorTests
{
    [Test]
    public async Task Posts_retries_a_rate_limit_and_reports_auth_failure()
    {
        await using var chat = new ChatSimulator();
        await chat.StartAsync();
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string?> { ["Workflows:Connectors:RetryBaseDelayMs"] = "5" },
            services => services.AddNodeType<ChatPostNode>());
        async Task Put(string name, string url)
        {
            var body = new JsonObject { ["kind"] = "chat_webhook", ["fields"] = new JsonObject { ["url"] = url } };
            using var response = await server.Http.PutJsonAsync($"/api/credentials/{name}", body.ToJsonString());
            response.EnsureSuccessStatusCode();
        }
        await Put("chat", chat.Url("/hook/good"));
        await Put("chat-bad", chat.Url("/hook/bad"));
        var (conv, hash) = await server.CreateProcess(TestProcesses.Single("chat.post", new JsonObject { ["credential"] = "chat", ["text"] = "Hi {{name}}" }));
        chat.FailNext = 2;
        var task = await server.WaitFor(await server.CreateTask(conv, hash, new JsonObject { ["name"] = "Ann" }));
        Assert.That((string?)task["result"], Is.EqualTo("success"), task.ToJsonString());
        Assert.That((string?)(await ConnectorsEnvironment.SentBy(chat))[0]!["text"], Is.EqualTo("Hi Ann"));

        var (conv2, hash2) = await server.CreateProcess(TestProcesses.Single("chat.post", new JsonObject { ["credential"] = "chat-bad", ["text"] = "x" }));
        var failed = await server.WaitFor(await server.CreateTask(conv2, hash2, []));
        Assert.That((string?)failed["data"]!["__conveyor_chat_webhook_return_type_tag__"], Is.EqualTo("auth_failed"));
    }
}
