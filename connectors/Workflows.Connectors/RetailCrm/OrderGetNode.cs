using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.RetailCrm;

/// <summary>GET /orders/{id}?by=externalId|id: puts the order (status, items, customFields…) under result_key; a missing one leaves by "not_found".</summary>
public sealed class OrderGetNode(ConnectorServices services) : ConnectorNode<OrderGetNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, Template OrderId, string By) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("retailcrm.order_get", "RetailCRM: get order", "file-text", RetailCrmApi.Kind,
    [
        new ParamSpec("order_id", ParamKind.Template, "Order", Required: true, Help: "The externalId, or the CRM id with by = id."),
        new ParamSpec("by", ParamKind.Select, "Find by", Default: "externalId", Options: OrderEditNode.ByOptions),
        ResultKeyParam("crm_order"),
    ],
    [new ExitSpec("not_found", "Order not found", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "crm_order");
        var id = context.Template("order_id", required: true);
        var by = context.String("by") ?? "externalId";
        if (!OrderEditNode.ByOptions.Contains(by)) context.Error("params.by", "must be externalId or id");
        return id is null ? null : new Prepared(credential, key, id, by);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, RetailCrmApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (RetailCrmApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var result = await RetailCrmApi.GetAsync(Services, credential, $"orders/{Uri.EscapeDataString(Render(step, node.OrderId))}?by={node.By}", step.Cancellation);
        if (result.Error is { Tag: "not_found" }) return NodeOutcome.Go("not_found");
        if (!result.Ok) return result.Failure;
        Put(step, node.ResultKey, result.Json!["order"]?.DeepClone());
        return NodeOutcome.Go();
    }
}
