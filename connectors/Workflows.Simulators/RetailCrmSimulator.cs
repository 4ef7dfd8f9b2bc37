using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Workflows.Simulators;

/// <summary>
/// RetailCRM API v5: POST /api/v5/orders/create, POST /api/v5/orders/{id}/edit (by=externalId|id),
/// GET /api/v5/orders/{id}; the catalogue: GET store/offers, POST store/products/batch/create,
/// store/inventories/upload and store/prices/upload. Key in X-API-KEY or apiKey; form-encoded with the order as a JSON string.
/// Errors: 403 Wrong "apiKey" value, 400 Errors in the entity format / duplicate externalId, 404 Not found, 503 Rate limit exceeded.
/// </summary>
public sealed class RetailCrmSimulator : HttpSimulator
{
    public const string ApiKey = "demo-retailcrm-key";
    readonly ConcurrentDictionary<int, JsonObject> _orders = new();
    int _nextId = 1000;

    public IReadOnlyDictionary<int, JsonObject> Orders => _orders;

    /// <summary>A catalogue offer: its product's name and article, price of the base type, stock of the warehouse.</summary>
    public sealed class Offer(int id, string externalId, string name)
    {
        public int Id => id;
        public string ExternalId => externalId;
        public string Name { get; set; } = name;
        public string Article { get; set; } = "";
        public double Price { get; set; }
        public double Quantity { get; set; }
    }

    readonly ConcurrentDictionary<string, Offer> _offers = new();
    int _nextOffer = 5000;
    public IReadOnlyDictionary<string, Offer> Offers => _offers;

    protected override void Map(WebApplication app)
    {
        // What this key may call (unversioned, as RetailCRM has it): the designer's connection test.
        app.MapGet("/api/credentials", (HttpRequest request) =>
            request.Headers["X-API-KEY"].ToString() is var key && key == ApiKey
                ? Json(new JsonObject { ["success"] = true, ["credentials"] = new JsonArray("/api/orders", "/api/orders/create", "/api/store/offers"), ["siteAccess"] = "access_full", ["sitesAvailable"] = new JsonArray() })
                : Error(key.Length == 0 ? 400 : 403, key.Length == 0 ? "\"apiKey\" is missing." : "Wrong \"apiKey\" value."));
        var api = app.MapGroup("/api/v5");
        api.AddEndpointFilter(async (context, next) =>
        {
            var request = context.HttpContext.Request;
            var key = request.Headers["X-API-KEY"].ToString();
            if (key.Length == 0) key = request.Query["apiKey"].ToString();
            if (key.Length == 0) return Error(400, "\"apiKey\" is missing.");
            if (key != ApiKey) return Error(403, "Wrong \"apiKey\" value.");
            if (TakeFailure()) return Error(503, "Rate limit exceeded");
            return await next(context);
        });
        api.MapPost("/orders/create", async (HttpRequest request) =>
        {
            var (order, problem) = await ReadOrder(request);
            if (problem is not null) return problem;
            var errors = new JsonObject();
            if (Str(order!["firstName"]) is null && Str(order["phone"]) is null && Str(order["email"]) is null)
                errors["firstName"] = "Either firstName, phone or email is required";
            if (Str(order["externalId"]) is { } ext && _orders.Values.Any(o => Str(o["externalId"]) == ext))
                errors["externalId"] = "Order with such externalId already exists.";
            if (errors.Count > 0) return Error(400, "Errors in the entity format", errors);
            var id = Interlocked.Increment(ref _nextId);
            order["id"] = id;
            order["number"] = $"{id}A";
            order["status"] ??= "new";
            order["createdAt"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            _orders[id] = order;
            return Json(new JsonObject { ["success"] = true, ["id"] = id, ["order"] = order.DeepClone() }, 201);
        });
        api.MapPost("/orders/{key}/edit", async (string key, HttpRequest request) =>
        {
            var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
            var by = form?["by"].ToString() is { Length: > 0 } b ? b : "externalId";
            var found = Find(key, by);
            if (found is null) return Error(404, "Not found");
            var (order, problem) = await ReadOrder(request);
            if (problem is not null) return problem;
            foreach (var (k, v) in order!) if (k is not ("id" or "number")) found[k] = v?.DeepClone();
            return Json(new JsonObject { ["success"] = true, ["id"] = found["id"]?.DeepClone(), ["order"] = found.DeepClone() });
        });
        api.MapGet("/store/offers", (HttpRequest request) =>
        {
            var wanted = request.Query["filter[externalIds][]"].Select(v => v ?? "").ToHashSet();
            var offers = _offers.Values.Where(o => wanted.Count == 0 || wanted.Contains(o.ExternalId)).OrderBy(o => o.Id).ToList();
            var limit = int.TryParse(request.Query["limit"], out var l) ? l : 20;
            if (limit is not (20 or 50 or 100 or 250)) return Error(400, "Errors in the input parameters", new JsonObject { ["limit"] = "This value should be 20, 50, 100 or 250." });
            return Json(new JsonObject
            {
                ["success"] = true,
                ["pagination"] = new JsonObject { ["limit"] = limit, ["totalCount"] = offers.Count, ["currentPage"] = 1, ["totalPageCount"] = Math.Max(1, (offers.Count + limit - 1) / limit) },
                ["offers"] = new JsonArray(offers.Take(limit).Select(o => (JsonNode)new JsonObject
                {
                    ["id"] = o.Id, ["externalId"] = o.ExternalId, ["name"] = o.Name, ["article"] = o.Article,
                    ["price"] = o.Price, ["quantity"] = o.Quantity,
                    ["prices"] = new JsonArray(new JsonObject { ["priceType"] = "base", ["price"] = o.Price }),
                }).ToArray()),
            });
        });
        api.MapPost("/store/products/batch/create", async (HttpRequest request) =>
        {
            var (list, problem) = await ReadList(request, "products");
            if (problem is not null) return problem;
            var added = new JsonArray();
            foreach (var product in list!.OfType<JsonObject>())
                foreach (var offer in (product["offers"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var ext = Str(offer["externalId"]);
                    if (string.IsNullOrEmpty(ext)) return Error(400, "Errors in the entity format", new JsonObject { ["offers[].externalId"] = "This value should not be blank." });
                    var created = _offers.GetOrAdd(ext, e => new Offer(Interlocked.Increment(ref _nextOffer), e, Str(offer["name"]) ?? Str(product["name"]) ?? e));
                    created.Article = Str(offer["article"]) ?? "";
                    added.Add(created.Id);
                }
            return Json(new JsonObject { ["success"] = true, ["processedProductsCount"] = list!.Count, ["addedProducts"] = added });
        });
        api.MapPost("/store/inventories/upload", async (HttpRequest request) =>
        {
            var (list, problem) = await ReadList(request, "offers");
            if (problem is not null) return problem;
            if (list!.Count > 250) return Error(400, "Errors in the input parameters", new JsonObject { ["offers"] = "At most 250 offers per request." });
            var notFound = new JsonArray();
            var processed = 0;
            foreach (var item in list.OfType<JsonObject>())
            {
                if (Str(item["externalId"]) is not { } ext || !_offers.TryGetValue(ext, out var offer)) { notFound.Add(new JsonObject { ["externalId"] = Str(item["externalId"]) }); continue; }
                offer.Quantity = (item["stores"] as JsonArray ?? []).OfType<JsonObject>().Sum(st => st["available"]?.GetValue<double>() ?? 0);
                processed++;
            }
            return Json(new JsonObject { ["success"] = true, ["processedOffersCount"] = processed, ["notFoundOffers"] = notFound });
        });
        api.MapPost("/store/prices/upload", async (HttpRequest request) =>
        {
            var (list, problem) = await ReadList(request, "prices");
            if (problem is not null) return problem;
            var notUpdated = new JsonArray();
            var processed = 0;
            foreach (var item in list!.OfType<JsonObject>())
            {
                if (Str(item["externalId"]) is not { } ext || !_offers.TryGetValue(ext, out var offer)) { notUpdated.Add(new JsonObject { ["externalId"] = Str(item["externalId"]) }); continue; }
                if ((item["prices"] as JsonArray)?.FirstOrDefault()?["price"] is JsonValue price) offer.Price = price.GetValue<double>();
                processed++;
            }
            return Json(new JsonObject { ["success"] = true, ["processedOffersCount"] = processed, ["notUpdatedOffers"] = notUpdated });
        });
        api.MapGet("/orders/{key}", (string key, HttpRequest request) =>
        {
            var by = request.Query["by"].ToString() is { Length: > 0 } b ? b : "externalId";
            var found = Find(key, by);
            return found is null ? Error(404, "Not found") : Json(new JsonObject { ["success"] = true, ["order"] = found.DeepClone() });
        });
    }

    JsonObject? Find(string key, string by) => by == "id"
        ? int.TryParse(key, out var id) ? _orders.GetValueOrDefault(id) : null
        : _orders.Values.FirstOrDefault(o => Str(o["externalId"]) == key);

    static async Task<(JsonObject?, IResult?)> ReadOrder(HttpRequest request)
    {
        if (!request.HasFormContentType) return (null, Error(400, "Parameter 'order' is missing"));
        var form = await request.ReadFormAsync();
        var text = form["order"].ToString();
        if (text.Length == 0) return (null, Error(400, "Parameter 'order' is missing"));
        try
        {
            return JsonNode.Parse(text) is JsonObject o ? (o, null) : (null, Error(400, "Errors in the entity format"));
        }
        catch (System.Text.Json.JsonException) { return (null, Error(400, "Errors in the entity format")); }
    }

    static async Task<(JsonArray?, IResult?)> ReadList(HttpRequest request, string field)
    {
        if (!request.HasFormContentType) return (null, Error(400, $"Parameter '{field}' is missing"));
        var text = (await request.ReadFormAsync())[field].ToString();
        if (text.Length == 0) return (null, Error(400, $"Parameter '{field}' is missing"));
        try { return JsonNode.Parse(text) is JsonArray a ? (a, null) : (null, Error(400, "Errors in the entity format")); }
        catch (System.Text.Json.JsonException) { return (null, Error(400, "Errors in the entity format")); }
    }

    static IResult Error(int status, string message, JsonObject? errors = null)
    {
        var body = new JsonObject { ["success"] = false, ["errorMsg"] = message };
        if (errors is not null) body["errors"] = errors;
        return Json(body, status);
    }
}
