using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Beeline;

/// <summary>DELETE subscription?subscriptionId=…; an unknown or lapsed subscription leaves by not_found.</summary>
public sealed class UnsubscribeNode(ConnectorServices services) : ConnectorNode<UnsubscribeNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, Template SubscriptionId) : ConnectorPrepared(Credential, null);

    public override NodeDescription Description { get; } = Describe("beeline.unsubscribe", "Beeline: delete event subscription", "radio", BeelineApi.Kind,
    [
        new ParamSpec("subscription_id", ParamKind.Template, "Subscription", Required: true, Default: "{{beeline_subscription.id}}"),
    ],
    [new ExitSpec("not_found", "No such subscription", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, _) = Common(context);
        var id = context.Template("subscription_id", required: true);
        return id is null ? null : new Prepared(credential, id);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, BeelineApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (BeelineApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var id = Render(step, node.SubscriptionId).Trim();
        if (id.Length == 0) return NodeOutcome.Go("not_found");
        var result = await BeelineApi.SendAsync(Services, credential, HttpMethod.Delete, $"subscription?subscriptionId={Uri.EscapeDataString(id)}", null, step.Cancellation);
        if (result.Error is { Tag: "not_found" }) return NodeOutcome.Go("not_found");
        return result.Ok ? NodeOutcome.Go() : result.Failure;
    }
}
