using System.Globalization;
using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.RetailCrm;

/// <summary>
/// Pushes one batch of products with their stock into RetailCRM's catalogue: reads the offers RetailCRM
/// has (GET store/offers by externalId), creates the missing products (POST store/products/batch/create),
/// and uploads stock (store/inventories/upload) and prices (store/prices/upload) of the new and changed
/// ones only. <c>offers</c>: <c>[{external_code, name, article, price, available}]</c> (moysklad.stock_report's
/// rows), at most 250. Puts <c>{checked, created, changed, unchanged}</c> under result_key.
/// </summary>
public sealed class CatalogueUploadNode(ConnectorServices services) : ConnectorNode<CatalogueUploadNode.Prepared>(services)
{
    public const int MaxOffers = 250;

    public sealed record Prepared(string Credential, string? ResultKey, Template Offers, Template? Store, Template? PriceType) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("retailcrm.catalogue_upload", "RetailCRM: upload catalogue batch", "upload", RetailCrmApi.Kind,
    [
        new ParamSpec("offers", ParamKind.Template, "Offers", Required: true, Default: "{{stock_rows}}", Help: "[{external_code, name, article, price, available}], at most 250."),
        new ParamSpec("store", ParamKind.Template, "Warehouse code", Default: "main"),
        new ParamSpec("price_type", ParamKind.Template, "Price type code", Default: "base"),
        ResultKeyParam("catalogue_upload"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "catalogue_upload");
        var offers = context.Template("offers", required: true);
        return offers is null ? null : new Prepared(credential, key, offers, context.Template("store"), context.Template("price_type"));
    }

    sealed record Offer(string ExternalId, string Name, string Article, double Price, double Available);

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, RetailCrmApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (RetailCrmApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var rendered = node.Offers.Render(step.Scope);
        if (rendered is JsonValue text && text.TryGetValue(out string? json) && json.TrimStart().StartsWith('['))
        {
            try { rendered = JsonNode.Parse(json); }
            catch (System.Text.Json.JsonException) { rendered = null; }
        }
        if (rendered is not JsonArray list) return NodeOutcome.Software("validation_error", "offers must be a list of {external_code, name, price, available}");
        if (list.Count > MaxOffers) return NodeOutcome.Software("validation_error", $"{list.Count} offers in one batch; at most {MaxOffers}");
        var offers = new List<Offer>();
        foreach (var item in list)
        {
            if (item is not JsonObject o || Template.AsText(o["external_code"]) is not { Length: > 0 } code)
                return NodeOutcome.Software("validation_error", $"offer {offers.Count + 1} has no external_code");
            offers.Add(new Offer(code, Template.AsText(o["name"]), Template.AsText(o["article"]), Number(o["price"]), Number(o["available"])));
        }
        var counts = new JsonObject { ["checked"] = offers.Count, ["created"] = 0, ["changed"] = 0, ["unchanged"] = 0 };
        if (offers.Count == 0)
        {
            Put(step, node.ResultKey, counts);
            return NodeOutcome.Go();
        }
        var store = Render(step, node.Store) is { Length: > 0 } s ? s : "main";
        var priceType = Render(step, node.PriceType) is { Length: > 0 } p ? p : "base";

        var query = string.Join("&", offers.Select(o => $"filter[externalIds][]={Uri.EscapeDataString(o.ExternalId)}"));
        var existing = await RetailCrmApi.GetAsync(Services, credential, $"store/offers?{query}&limit=250", step.Cancellation);
        if (!existing.Ok) return existing.Failure;
        var known = (existing.Json!["offers"] as JsonArray ?? []).OfType<JsonObject>()
            .ToDictionary(o => Template.AsText(o["externalId"]), o => (Price: Number(o["price"]), Quantity: Number(o["quantity"])));
        var created = offers.Where(o => !known.ContainsKey(o.ExternalId)).ToList();
        var changed = offers.Where(o => known.TryGetValue(o.ExternalId, out var k) && (k.Price != o.Price || k.Quantity != o.Available)).ToList();
        counts["created"] = created.Count;
        counts["changed"] = changed.Count;
        counts["unchanged"] = offers.Count - created.Count - changed.Count;

        if (created.Count > 0)
        {
            var products = new JsonArray(created.Select(o => (JsonNode)new JsonObject
            {
                ["externalId"] = o.ExternalId,
                ["name"] = o.Name,
                ["article"] = o.Article,
                ["offers"] = new JsonArray(new JsonObject { ["externalId"] = o.ExternalId, ["name"] = o.Name, ["article"] = o.Article }),
            }).ToArray());
            var made = await Post(credential, "store/products/batch/create", "products", products, step);
            if (!made.Ok) return made.Failure;
        }
        var upload = created.Concat(changed).ToList();
        if (upload.Count > 0)
        {
            var stock = new JsonArray(upload.Select(o => (JsonNode)new JsonObject
            {
                ["externalId"] = o.ExternalId,
                ["stores"] = new JsonArray(new JsonObject { ["code"] = store, ["available"] = o.Available }),
            }).ToArray());
            var inventories = await Post(credential, "store/inventories/upload", "offers", stock, step);
            if (!inventories.Ok) return inventories.Failure;
            var prices = new JsonArray(upload.Select(o => (JsonNode)new JsonObject
            {
                ["externalId"] = o.ExternalId,
                ["prices"] = new JsonArray(new JsonObject { ["code"] = priceType, ["price"] = o.Price }),
            }).ToArray());
            var priced = await Post(credential, "store/prices/upload", "prices", prices, step);
            if (!priced.Ok) return priced.Failure;
        }
        Put(step, node.ResultKey, counts);
        return NodeOutcome.Go();
    }

    Task<VendorResult> Post(Credential credential, string path, string field, JsonArray body, StepContext step) =>
        RetailCrmApi.PostAsync(Services, credential, path, new Dictionary<string, string> { [field] = body.ToJsonString() }, step.Cancellation);

    static double Number(JsonNode? node) =>
        node is JsonValue v && (v.TryGetValue(out double d) || double.TryParse(v.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d)) ? d : 0;
}
