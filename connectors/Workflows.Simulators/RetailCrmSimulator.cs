using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Workflows.Simulators;

/// <summary>
/// RetailCRM API v5: POST /api/v5/orders/create, POST /api/v5/orders/{id}/edit (by=externalId|id),
/// GET /api/v5/orders/{id}. Key in X-API-KEY or apiKey; form-encoded with the order as a JSON string.
/// Errors: 403 Wrong "apiKey" value, 400 Errors in the entity format / duplicate externalId, 404 Not found, 503 Rate limit exceeded.
/// </summary>
public sealed class RetailCrmSimulator : HttpSimulator
{
    public const string ApiKey = "demo-retailcrm-key";
    readonly ConcurrentDictionary<int, JsonObject> _orders = new();
    int _nextId = 1000;

    public IReadOnlyDictionary<int, JsonObject> Orders => _orders;

    protected override void Map(WebApplication app)
    {
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
            order["createdAt"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss");
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

    static IResult Error(int status, string message, JsonObject? errors = null)
    {
        var body = new JsonObject { ["success"] = false, ["errorMsg"] = message };
        if (errors is not null) body["errors"] = errors;
        return Json(body, status);
    }
}
