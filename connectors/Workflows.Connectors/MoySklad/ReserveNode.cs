using System.Globalization;
using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.MoySklad;

/// <summary>
/// POST entity/customerorder with reserved positions: one product (product_id, quantity, price in
/// roubles) or a positions list [{product_id, quantity, price}]. Organization and agent (counterparty)
/// come from the params or the credential. Puts {id, name, href} under result_key.
/// </summary>
public sealed class ReserveNode(ConnectorServices services) : ConnectorNode<ReserveNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, Template? Product, Template? Quantity, Template? Price,
        ValueTemplate? Positions, Template? Organization, Template? Agent, Template? Name, Template? Description) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("moysklad.reserve", "MoySklad: reserve (customer order)", "lock", MoySkladApi.Kind,
    [
        new ParamSpec("product_id", ParamKind.Template, "Product", Help: "UUID or href; or use positions."),
        new ParamSpec("quantity", ParamKind.Template, "Quantity", Default: "1"),
        new ParamSpec("price", ParamKind.Template, "Price (roubles)"),
        new ParamSpec("positions", ParamKind.Json, "Or positions", Help: "{\"items\": [{\"product_id\", \"quantity\", \"price\"}]} or {\"items\": \"{{items}}\"}."),
        new ParamSpec("organization_id", ParamKind.Template, "Organization", Help: "Left empty: the credential's organization_id."),
        new ParamSpec("agent_id", ParamKind.Template, "Counterparty", Help: "Left empty: the credential's agent_id."),
        new ParamSpec("name", ParamKind.Template, "Order name"),
        new ParamSpec("description", ParamKind.Template, "Comment"),
        ResultKeyParam("moysklad_order"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "moysklad_order");
        var product = context.Template("product_id");
        var positions = node.Params["positions"] is null ? null : JsonParam(context, "positions");
        if (product is null && positions is null) context.Error("params.product_id", "give a product_id or positions");
        return new Prepared(credential, key, product, context.Template("quantity"), context.Template("price"), positions,
            context.Template("organization_id"), context.Template("agent_id"), context.Template("name"), context.Template("description"));
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, MoySkladApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (MoySkladApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var items = new List<(string Product, double Quantity, double Price)>();
        if (node.Product is not null && Render(step, node.Product) is { Length: > 0 } product)
            items.Add((product, Number(Render(step, node.Quantity), 1), Number(Render(step, node.Price), 0)));
        if (node.Positions is not null && RenderObject(step, node.Positions)["items"] is { } list)
        {
            if (list is JsonValue text && text.TryGetValue(out string? s))
            {
                try { list = JsonNode.Parse(s); }
                catch (System.Text.Json.JsonException) { return NodeOutcome.Software("bad_request", "positions.items is not a JSON list"); }
            }
            foreach (var item in (list as JsonArray ?? []).OfType<JsonObject>())
                items.Add((Template.AsText(item["product_id"]), Number(Template.AsText(item["quantity"]), 1), Number(Template.AsText(item["price"]), 0)));
        }
        if (items.Count == 0) return NodeOutcome.Software("bad_request", "no positions to reserve");
        var organization = Render(step, node.Organization) is { Length: > 0 } o ? o : credential["organization_id"];
        var agent = Render(step, node.Agent) is { Length: > 0 } a ? a : credential["agent_id"];
        var body = new JsonObject
        {
            ["positions"] = new JsonArray(items.Select(i => (JsonNode)new JsonObject
            {
                ["quantity"] = i.Quantity,
                ["reserve"] = i.Quantity,
                ["price"] = Math.Round(i.Price * 100),
                ["assortment"] = MoySkladApi.Meta(credential, "product", i.Product),
            }).ToArray()),
        };
        if (organization is not null) body["organization"] = MoySkladApi.Meta(credential, "organization", organization);
        if (agent is not null) body["agent"] = MoySkladApi.Meta(credential, "counterparty", agent);
        if (credential["store_id"] is { } store) body["store"] = MoySkladApi.Meta(credential, "store", store);
        if (Render(step, node.Name) is { Length: > 0 } name) body["name"] = name;
        if (Render(step, node.Description) is { Length: > 0 } description) body["description"] = description;
        var result = await MoySkladApi.SendAsync(Services, credential, HttpMethod.Post, "entity/customerorder", body, step.Cancellation);
        if (!result.Ok) return result.Failure;
        Put(step, node.ResultKey, new JsonObject
        {
            ["id"] = result.Json!["id"]?.DeepClone(),
            ["name"] = result.Json["name"]?.DeepClone(),
            ["href"] = result.Json["meta"]?["href"]?.DeepClone(),
        });
        return NodeOutcome.Go();
    }

    static double Number(string text, double fallback) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;
}
