using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.RetailCrm;

/// <summary>POST /orders/create: the order from a JSON template; its id goes to result_key (and the number to crm_order_number).</summary>
public sealed class OrderCreateNode(ConnectorServices services) : ConnectorNode<OrderCreateNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, ValueTemplate Order, Template? Site) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("retailcrm.order_create", "RetailCRM: create order", "shopping-cart", RetailCrmApi.Kind,
    [
        new ParamSpec("order", ParamKind.Json, "Order", Required: true, Help: "externalId, firstName, phone, email, status, items[{productName, initialPrice, quantity}], customFields… with {{templates}}."),
        new ParamSpec("site", ParamKind.Template, "Site code", Help: "Needed when the key spans several sites."),
        ResultKeyParam("crm_order_id"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "crm_order_id");
        var order = JsonParam(context, "order", required: true);
        return order is null ? null : new Prepared(credential, key, order, context.Template("site"));
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, RetailCrmApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (RetailCrmApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var form = new Dictionary<string, string> { ["order"] = RenderObject(step, node.Order).ToJsonString() };
        if (Render(step, node.Site) is { Length: > 0 } site) form["site"] = site;
        var result = await RetailCrmApi.PostAsync(Services, credential, "orders/create", form, step.Cancellation);
        if (!result.Ok) return result.Failure;
        Put(step, node.ResultKey, result.Json!["id"]?.DeepClone());
        if (result.Json["order"]?["number"] is { } number) step.Set("crm_order_number", number.DeepClone());
        return NodeOutcome.Go();
    }
}
