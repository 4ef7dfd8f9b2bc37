using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.RetailCrm;

/// <summary>POST /orders/{id}/edit: changes the given order fields. A missing order leaves by "not_found".</summary>
public sealed class OrderEditNode(ConnectorServices services) : ConnectorNode<OrderEditNode.Prepared>(services)
{
    public static readonly string[] ByOptions = ["externalId", "id"];

    public sealed record Prepared(string Credential, Template OrderId, string By, ValueTemplate Order) : ConnectorPrepared(Credential, null);

    public override NodeDescription Description { get; } = Describe("retailcrm.order_edit", "RetailCRM: edit order", "edit-3", RetailCrmApi.Kind,
    [
        new ParamSpec("order_id", ParamKind.Template, "Order", Required: true, Help: "The externalId, or the CRM id with by = id."),
        new ParamSpec("by", ParamKind.Select, "Find by", Default: "externalId", Options: ByOptions),
        new ParamSpec("order", ParamKind.Json, "Changed fields", Required: true),
    ],
    [new ExitSpec("not_found", "Order not found", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, _) = Common(context);
        var id = context.Template("order_id", required: true);
        var by = context.String("by") ?? "externalId";
        if (!ByOptions.Contains(by)) context.Error("params.by", "must be externalId or id");
        var order = JsonParam(context, "order", required: true);
        return id is null || order is null ? null : new Prepared(credential, id, by, order);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, RetailCrmApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (RetailCrmApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var form = new Dictionary<string, string> { ["by"] = node.By, ["order"] = RenderObject(step, node.Order).ToJsonString() };
        var result = await RetailCrmApi.PostAsync(Services, credential, $"orders/{Uri.EscapeDataString(Render(step, node.OrderId))}/edit", form, step.Cancellation);
        if (result.Error is { Tag: "not_found" }) return NodeOutcome.Go("not_found");
        return result.Ok ? NodeOutcome.Go() : result.Failure;
    }
}
