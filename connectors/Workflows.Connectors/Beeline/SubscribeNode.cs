using System.Globalization;
using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Beeline;

/// <summary>
/// PUT subscription: the PBX posts the call events of an abonent (pattern; empty: all) to our event URL
/// for <c>expires</c> seconds. The URL is the one of a wait_callback node (<c>wait_node</c>, in
/// <c>process</c>, an alias or conv_id, default this process) keyed by call id; <c>url</c> overrides it.
/// Puts <c>{id, expires, expires_at, renew_in, url}</c> under result_key: <c>renew_in</c> is the number of
/// seconds to wait before subscribing again (a tenth of the time, at least 60 s, before it lapses).
/// </summary>
public sealed class SubscribeNode(ConnectorServices services) : ConnectorNode<SubscribeNode.Prepared>(services)
{
    public static readonly string[] Types = ["BASIC_CALL", "ADVANCED_CALL"];

    public sealed record Prepared(string Credential, string? ResultKey, Template? Pattern, Template Expires, string Type, string? Process, string? WaitNode, Template? Url)
        : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("beeline.subscribe", "Beeline: subscribe to call events", "radio", BeelineApi.Kind,
    [
        new ParamSpec("pattern", ParamKind.Template, "Abonent", Help: "Extension, phone or userId whose calls are reported; empty: every abonent."),
        new ParamSpec("expires", ParamKind.Template, "Expires (seconds)", Default: "3600"),
        new ParamSpec("subscription_type", ParamKind.Select, "Events", Default: "BASIC_CALL", Options: Types),
        new ParamSpec("process", ParamKind.String, "Process of the waiting node", Help: "Alias or conv_id; empty: this process."),
        new ParamSpec("wait_node", ParamKind.String, "Wait-for-callback node", Help: "Id of the wait_callback node (key: {{call_id}}) that receives the calls' events."),
        new ParamSpec("url", ParamKind.Template, "Or event URL", Help: "Overrides the URL built from process and wait_node."),
        ResultKeyParam("beeline_subscription"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "beeline_subscription");
        var type = context.String("subscription_type") ?? "BASIC_CALL";
        if (!Types.Contains(type)) context.Error("params.subscription_type", "must be BASIC_CALL or ADVANCED_CALL");
        var wait = context.String("wait_node");
        var url = context.Template("url");
        if (string.IsNullOrWhiteSpace(wait) && url is null) context.Error("params.wait_node", "give the id of the wait_callback node (or a url)");
        var expires = context.Template("expires") ?? context.TemplateOf("params.expires", "3600");
        var process = context.String("process");
        return expires is null ? null : new Prepared(credential, key, context.Template("pattern"), expires, type,
            string.IsNullOrWhiteSpace(process) ? null : process.Trim(), string.IsNullOrWhiteSpace(wait) ? null : wait.Trim(), url);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, BeelineApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (BeelineApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        if (!int.TryParse(Render(step, node.Expires), NumberStyles.Integer, CultureInfo.InvariantCulture, out var expires) || expires < 60)
            return NodeOutcome.Software("validation_error", $"expires must be a whole number of seconds, at least 60, not '{Render(step, node.Expires)}'");
        string url;
        if (node.Url is not null) url = Render(step, node.Url);
        else
        {
            // The waiting process may be another one; its event URL mirrors that node's callback URL (same hash).
            var conv = node.Process is null ? step.Task.ConvId : step.FindProcess(node.Process);
            var callback = conv is null ? null : step.CallbackPath(conv.Value, node.WaitNode!);
            if (callback is null) return NodeOutcome.Software("validation_error", $"process '{node.Process ?? step.Task.ConvId.ToString(CultureInfo.InvariantCulture)}' is not loaded");
            url = Services.PublicBaseUrl() + CallEventsApi.FromCallbackPath(callback);
        }
        var body = new JsonObject { ["expires"] = expires, ["subscriptionType"] = node.Type, ["url"] = url };
        if (Render(step, node.Pattern) is { Length: > 0 } pattern) body["pattern"] = pattern.Trim();
        var result = await BeelineApi.SendAsync(Services, credential, HttpMethod.Put, "subscription", body, step.Cancellation);
        if (!result.Ok) return result.Failure;
        var id = result.Json?["subscriptionId"]?.ToString();
        if (string.IsNullOrEmpty(id)) return NodeOutcome.Software("bad_response", $"Beeline answered no subscriptionId: {result.Reply!.Excerpt}");
        var granted = result.Json?["expires"] is JsonValue e && e.TryGetValue(out int g) && g > 0 ? g : expires;
        Put(step, node.ResultKey, new JsonObject
        {
            ["id"] = id,
            ["expires"] = granted,
            ["expires_at"] = step.Now.AddSeconds(granted).ToUnixTimeSeconds(),
            ["renew_in"] = granted - Math.Max(60, granted / 10),
            ["renew_at"] = step.Now.AddSeconds(granted - Math.Max(60, granted / 10)).ToUnixTimeSeconds(),
            ["url"] = url,
        });
        return NodeOutcome.Go();
    }
}
