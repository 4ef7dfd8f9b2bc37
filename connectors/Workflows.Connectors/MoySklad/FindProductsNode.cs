using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.MoySklad;

/// <summary>
/// GET entity/product?filter=externalCode=a;externalCode=b…: the products behind a list of codes (what
/// a landing page's buttons carry), in the order of the codes, as
/// <c>[{id, href, name, code, article, external_code, price}]</c> (price in roubles). Codes MoySklad does not
/// know go to <c>missing_codes</c> and the node leaves by not_found.
/// </summary>
public sealed class FindProductsNode(ConnectorServices services) : ConnectorNode<FindProductsNode.Prepared>(services)
{
    public const int MaxCodes = 100;
    public static readonly string[] ByOptions = ["externalCode", "code", "article"];

    public sealed record Prepared(string Credential, string? ResultKey, Template Codes, string By) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("moysklad.find_products", "MoySklad: products by code", "search", MoySkladApi.Kind,
    [
        new ParamSpec("codes", ParamKind.Template, "Codes", Required: true, Help: "A list from the data ({{codes}}) or a comma-separated text; at most 100."),
        new ParamSpec("by", ParamKind.Select, "Code field", Default: "externalCode", Options: ByOptions),
        ResultKeyParam("products"),
    ],
    [new ExitSpec("not_found", "Unknown codes", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "products");
        var codes = context.Template("codes", required: true);
        var by = context.String("by") ?? "externalCode";
        if (!ByOptions.Contains(by)) context.Error("params.by", "must be externalCode, code or article");
        return codes is null ? null : new Prepared(credential, key, codes, by);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, MoySkladApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (MoySkladApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var codes = MoySkladApi.List(node.Codes.Render(step.Scope)).Distinct().ToList();
        if (codes.Count == 0) return NodeOutcome.Software("validation_error", "no codes to look up");
        if (codes.Count > MaxCodes) return NodeOutcome.Software("validation_error", $"{codes.Count} codes; at most {MaxCodes} per lookup");
        var filter = string.Join(";", codes.Select(c => $"{node.By}={Uri.EscapeDataString(c)}"));
        var result = await MoySkladApi.SendAsync(Services, credential, HttpMethod.Get, $"entity/product?filter={filter}&limit={MaxCodes}", null, step.Cancellation);
        if (!result.Ok) return result.Failure;
        var field = node.By;
        var rows = (result.Json!["rows"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var found = new JsonArray();
        var missing = new JsonArray();
        foreach (var code in codes)
        {
            var row = rows.FirstOrDefault(r => Template.AsText(r[field]) == code);
            if (row is null) { missing.Add(code); continue; }
            var price = row["salePrices"] is JsonArray prices && prices.FirstOrDefault()?["value"] is JsonValue v && v.TryGetValue(out double kopecks) ? kopecks / 100 : 0;
            found.Add(new JsonObject
            {
                ["id"] = row["id"]?.DeepClone(),
                ["href"] = row["meta"]?["href"]?.DeepClone(),
                ["name"] = row["name"]?.DeepClone(),
                ["code"] = row["code"]?.DeepClone(),
                ["article"] = row["article"]?.DeepClone(),
                ["external_code"] = row["externalCode"]?.DeepClone(),
                ["price"] = price,
                ["requested"] = code,
            });
        }
        Put(step, node.ResultKey, found);
        step.Set("missing_codes", missing);
        return missing.Count > 0 ? NodeOutcome.Go("not_found") : NodeOutcome.Go();
    }
}
