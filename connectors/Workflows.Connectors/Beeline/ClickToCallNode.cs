using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Beeline;

/// <summary>
/// Click-to-call: POST abonents/{pattern}/call?phoneNumber=… The PBX rings the operator (pattern:
/// extension, phone or userId) and, when they pick up, the customer. Puts the PBX's call id under
/// result_key; the call's events reach a wait_callback node whose key is that id (see beeline.subscribe).
/// </summary>
public sealed class ClickToCallNode(ConnectorServices services) : ConnectorNode<ClickToCallNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, Template Pattern, Template Phone) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("beeline.click_to_call", "Beeline: click to call", "phone-call", BeelineApi.Kind,
    [
        new ParamSpec("pattern", ParamKind.Template, "Operator", Required: true, Help: "The employee's extension, phone or userId; the PBX rings them first."),
        new ParamSpec("phone", ParamKind.Template, "Customer phone", Required: true, Default: "{{phone}}"),
        ResultKeyParam("call_id"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "call_id");
        var pattern = context.Template("pattern", required: true);
        var phone = context.Template("phone", required: true);
        return pattern is null || phone is null ? null : new Prepared(credential, key, pattern, phone);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, BeelineApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (BeelineApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var pattern = Render(step, node.Pattern).Trim();
        var phone = BeelineApi.Phone(Render(step, node.Phone));
        if (pattern.Length == 0) return NodeOutcome.Software("validation_error", "pattern (the operator) is empty");
        if (phone.Length < 10) return NodeOutcome.Software("validation_error", $"'{Render(step, node.Phone)}' is not a phone number");
        var result = await BeelineApi.SendAsync(Services, credential, HttpMethod.Post,
            $"abonents/{Uri.EscapeDataString(pattern)}/call?phoneNumber={phone}", null, step.Cancellation);
        if (!result.Ok) return result.Failure;
        // The answer is the call id as a JSON string (or an object carrying callId).
        var text = result.Reply!.Text.Trim();
        string? callId;
        try { callId = JsonNode.Parse(text) switch { JsonValue v => v.ToString(), JsonObject o => o["callId"]?.ToString() ?? o["id"]?.ToString(), _ => null }; }
        catch (System.Text.Json.JsonException) { callId = text.Length > 0 ? text : null; }
        if (string.IsNullOrWhiteSpace(callId)) return NodeOutcome.Software("bad_response", $"Beeline answered no call id: {result.Reply.Excerpt}");
        Put(step, node.ResultKey, callId);
        return NodeOutcome.Go();
    }
}
