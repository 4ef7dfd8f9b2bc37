using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.MoySklad;

/// <summary>
/// GET report/stock/all filtered by one product: puts {name, stock, reserve, available} under result_key.
/// Leaves by "out_of_stock" when less than the wanted quantity is available.
/// </summary>
public sealed class StockNode(ConnectorServices services) : ConnectorNode<StockNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, Template Product, Template? Quantity) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("moysklad.stock", "MoySklad: product stock", "package", MoySkladApi.Kind,
    [
        new ParamSpec("product_id", ParamKind.Template, "Product", Required: true, Help: "Product UUID or its meta href."),
        new ParamSpec("quantity", ParamKind.Template, "Wanted quantity", Default: "1"),
        ResultKeyParam("stock"),
    ],
    [new ExitSpec("out_of_stock", "Out of stock", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "stock");
        var product = context.Template("product_id", required: true);
        return product is null ? null : new Prepared(credential, key, product, context.Template("quantity"));
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, MoySkladApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (MoySkladApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var href = MoySkladApi.Href(credential, "product", Render(step, node.Product));
        var wanted = double.TryParse(Render(step, node.Quantity), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q) ? q : 1;
        var result = await MoySkladApi.SendAsync(Services, credential, HttpMethod.Get, $"report/stock/all?filter=product={Uri.EscapeDataString(href)}", null, step.Cancellation);
        if (!result.Ok) return result.Failure;
        var row = (result.Json!["rows"] as JsonArray)?.FirstOrDefault() as JsonObject;
        double Num(string name) => row?[name] is JsonValue v && v.TryGetValue(out double d) ? d : 0;
        var available = Num("quantity");
        Put(step, node.ResultKey, new JsonObject
        {
            ["product_id"] = href.Split('/').Last(),
            ["name"] = row?["name"]?.DeepClone(),
            ["stock"] = Num("stock"),
            ["reserve"] = Num("reserve"),
            ["available"] = available,
        });
        return available >= wanted ? NodeOutcome.Go() : NodeOutcome.Go("out_of_stock");
    }
}
