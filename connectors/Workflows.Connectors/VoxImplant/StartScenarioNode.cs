using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.VoxImplant;

/// <summary>
/// Voximplant StartScenarios: starts the rule's scenario with script_custom_data
/// <c>{"phone", "task_id", "callback_url", …custom_data}</c> and puts the call_session_history_id in
/// the task. The scenario reports the call's result to callback_url, which is the URL of a
/// wait_callback node (param <c>wait_node</c>) of this process, found by task_id in the body.
/// Credential kind "voximplant": account_id, api_key, optional api_url.
/// </summary>
public sealed class StartScenarioNode(ConnectorServices services) : ConnectorNode<StartScenarioNode.Prepared>(services)
{
    public const string Kind = "voximplant";
    const string DefaultApiUrl = "https://api.voximplant.com/platform_api";

    public static readonly CredentialKind Credential = new(Kind, "Voximplant",
    [
        new("account_id", "Account id"),
        new("api_key", "API key", Secret: true),
        new("api_url", "API URL", Help: DefaultApiUrl),
    ]);

    public sealed record Prepared(string Credential, string? ResultKey, Template RuleId, Template Phone, string? WaitNode, Template? CallbackUrl, ValueTemplate? CustomData)
        : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("voximplant.start_scenario", "Voximplant: start call scenario", "phone-outgoing", Kind,
    [
        new ParamSpec("rule_id", ParamKind.Template, "Rule id", Required: true),
        new ParamSpec("phone", ParamKind.Template, "Phone to call", Required: true, Default: "{{phone}}"),
        new ParamSpec("wait_node", ParamKind.String, "Wait-for-callback node", Help: "Id of the wait_callback node (task_id_path: task_id) that receives the call result."),
        new ParamSpec("callback_url", ParamKind.Template, "Or callback URL", Help: "Overrides the URL built from wait_node."),
        new ParamSpec("custom_data", ParamKind.Json, "Extra custom data", Help: "More fields for the scenario (order id, text to say…). Custom data is limited to ~200 bytes by VoxEngine."),
        ResultKeyParam("call_session_id"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "call_session_id");
        var rule = context.Template("rule_id", required: true);
        var phone = context.Template("phone", required: true);
        var wait = context.String("wait_node");
        var callback = context.Template("callback_url");
        if (string.IsNullOrWhiteSpace(wait) && callback is null) context.Error("params.wait_node", "give the id of the wait_callback node (or a callback_url)");
        var custom = node.Params["custom_data"] is null ? null : JsonParam(context, "custom_data");
        return rule is null || phone is null ? null : new Prepared(credential, key, rule, phone, string.IsNullOrWhiteSpace(wait) ? null : wait.Trim(), callback, custom);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Kind, step.Cancellation);
        if (credential is null) return failure;
        if (credential["account_id"] is not { } account || credential["api_key"] is not { } key)
            return NodeOutcome.Software("bad_credential", $"credential '{credential.Name}' needs account_id and api_key");
        var callback = node.CallbackUrl is not null ? Render(step, node.CallbackUrl) : CallbackUrl(step, node.WaitNode!);
        if (callback is null) return NodeOutcome.Software("bad_request", $"process {step.Task.ConvId} is not loaded");
        var custom = RenderObject(step, node.CustomData);
        custom["phone"] = Render(step, node.Phone);
        custom["task_id"] = step.Task.ObjId;
        custom["callback_url"] = callback;
        var form = new Dictionary<string, string>
        {
            ["account_id"] = account,
            ["api_key"] = key,
            ["rule_id"] = Render(step, node.RuleId),
            ["script_custom_data"] = custom.ToJsonString(),
        };
        var url = $"{(credential["api_url"] ?? DefaultApiUrl).TrimEnd('/')}/StartScenarios/";
        var result = await Services.Vendor.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = VendorCall.FormBody(form) }, Classify, step.Cancellation);
        if (!result.Ok) return result.Failure;
        Put(step, node.ResultKey, result.Json!["call_session_history_id"]?.DeepClone());
        return NodeOutcome.Go();
    }

    string? CallbackUrl(StepContext step, string waitNode)
    {
        return step.CallbackPath(waitNode) is { } path ? Services.PublicBaseUrl() + path : null;
    }

    /// <summary><c>{"error":{"msg","code"}}</c> is a failure whatever the HTTP status; 429 and 5xx are transient.</summary>
    public static Verdict Classify(VendorReply reply)
    {
        if (reply.Json?["error"] is JsonObject error)
        {
            var text = $"Voximplant error {error["code"]?.ToJsonString()}: {(error["msg"] is JsonValue m && m.TryGetValue(out string? s) ? s : error.ToJsonString())}";
            if (reply.Status is 429 or >= 500) return Verdict.Transient($"http_{reply.Status}", text);
            if (reply.Status is 401 or 403 || error["code"]?.ToJsonString() is "100" or "101" or "102") return Verdict.Permanent("auth_failed", text);
            return Verdict.Permanent("voximplant_error", text);
        }
        var status = Verdict.FromStatus(reply);
        if (status.Kind != VerdictKind.Ok) return status;
        return reply.Json?["result"] is null
            ? Verdict.Permanent("bad_response", $"Voximplant answered no result: {reply.Excerpt}")
            : Verdict.Ok;
    }
}
