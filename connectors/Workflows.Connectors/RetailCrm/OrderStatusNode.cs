using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.RetailCrm;

/// <summary>Sets an order's status (a symbolic code such as "new", "confirmed"): /orders/{id}/edit with {"status"}.</summary>
public sealed class OrderStatusNode(ConnectorServices services) : ConnectorNode<OrderStatusNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, Template OrderId, string By, Template Status, Template? Comment) : ConnectorPrepared(Credential, null);

    public override NodeDescription Description { get; } = Describe("retailcrm.order_status", "RetailCRM: set order status", "flag", RetailCrmApi.Kind,
    [
        new ParamSpec("order_id", ParamKind.Template, "Order", Required: true),
        new ParamSpec("by", ParamKind.Select, "Find by", Default: "externalId", Options: OrderEditNode.ByOptions),
        new ParamSpec("status", ParamKind.Template, "Status code", Required: true, Help: "Symbolic code from /reference/statuses, e.g. confirmed."),
        new ParamSpec("manager_comment", ParamKind.Template, "Manager comment"),
    ],
    [new ExitSpec("not_found", "Order not found", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, _) = Common(context);
        var id = context.Template("order_id", required: true);
        var by = context.String("by") ?? "externalId";
        if (!OrderEditNode.ByOptions.Contains(by)) context.Error("params.by", "must be externalId or id");
        var status = context.Template("status", required: true);
        return id is null || status is null ? null : new Prepared(credential, id, by, status, context.Template("manager_comment"));
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, RetailCrmApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (RetailCrmApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var order = new JsonObject { ["status"] = Render(step, node.Status) };
        if (Render(step, node.Comment) is { Length: > 0 } comment) order["managerComment"] = comment;
        var form = new Dictionary<string, string> { ["by"] = node.By, ["order"] = order.ToJsonString() };
        var result = await RetailCrmApi.PostAsync(Services, credential, $"orders/{Uri.EscapeDataString(Render(step, node.OrderId))}/edit", form, step.Cancellation);
        if (result.Error is { Tag: "not_found" }) return NodeOutcome.Go("not_found");
        return result.Ok ? NodeOutcome.Go() : result.Failure;
    }
}
