using System.Globalization;
using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.MoySklad;

/// <summary>
/// One page of GET report/stock/all (products with their stock): puts
/// <c>[{id, name, code, article, external_code, price, stock, reserve, available}]</c> (price in roubles)
/// under result_key and the next page's offset under <c>next_offset</c> (null after the last page).
/// </summary>
public sealed class StockReportNode(ConnectorServices services) : ConnectorNode<StockReportNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, Template? Offset, int Limit) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("moysklad.stock_report", "MoySklad: stock report page", "package", MoySkladApi.Kind,
    [
        new ParamSpec("offset", ParamKind.Template, "Offset", Default: "0"),
        new ParamSpec("limit", ParamKind.Integer, "Page size", Default: 100, Help: "Rows per page.", Min: 1, Max: 1000),
        ResultKeyParam("stock_rows"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "stock_rows");
        var limit = context.Number("limit") ?? 100;
        return new Prepared(credential, key, context.Template("offset"), (int)limit);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, MoySkladApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (MoySkladApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var offsetText = Render(step, node.Offset);
        var offset = offsetText.Length == 0 ? 0 : int.TryParse(offsetText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var o) && o >= 0 ? o : -1;
        if (offset < 0) return NodeOutcome.Software("validation_error", $"offset '{offsetText}' is not a whole number");
        var result = await MoySkladApi.SendAsync(Services, credential, HttpMethod.Get, $"report/stock/all?limit={node.Limit}&offset={offset}", null, step.Cancellation);
        if (!result.Ok) return result.Failure;
        double Num(JsonObject row, string name) => row[name] is JsonValue v && v.TryGetValue(out double d) ? d : 0;
        var rows = new JsonArray((result.Json!["rows"] as JsonArray ?? []).OfType<JsonObject>().Select(r => (JsonNode)new JsonObject
        {
            ["id"] = Template.AsText(r["meta"]?["href"]).Split('/').Last().Split('?')[0],
            ["name"] = r["name"]?.DeepClone(),
            ["code"] = r["code"]?.DeepClone(),
            ["article"] = r["article"]?.DeepClone(),
            ["external_code"] = r["externalCode"]?.DeepClone(),
            ["price"] = Num(r, "salePrice") / 100,
            ["stock"] = Num(r, "stock"),
            ["reserve"] = Num(r, "reserve"),
            ["available"] = Num(r, "quantity"),
        }).ToArray());
        Put(step, node.ResultKey, rows);
        var size = result.Json["meta"]?["size"] is JsonValue s && s.TryGetValue(out int total) ? total : offset + rows.Count;
        step.Set("next_offset", offset + rows.Count < size && rows.Count > 0 ? offset + rows.Count : null);
        return NodeOutcome.Go();
    }
}
