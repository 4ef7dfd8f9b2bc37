using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Workflows.Simulators;

/// <summary>
/// MoySklad JSON API 1.2 under /api/remap/1.2: GET report/stock/all (filter=product=&lt;href&gt;) and POST
/// entity/customerorder (positions with reserve lower the available quantity). Requires
/// Accept-Encoding: gzip (415), Bearer token or Basic (401 + 1056), 412 when organization or agent
/// is missing, 429 + 1049 with X-Lognex-Retry-After for the configured failures.
/// </summary>
public sealed class MoySkladSimulator : HttpSimulator
{
    public const string Token = "demo-moysklad-token";
    public const string Login = "admin@demo";
    public const string Password = "demo-password";
    public const string Organization = "0d6c5f2e-0000-4000-8000-000000000001";
    public const string Agent = "0d6c5f2e-0000-4000-8000-000000000002";

    readonly ConcurrentDictionary<string, Product> _products = new();
    int _order;

    public sealed class Product(string id, string name, double stock)
    {
        public string Id => id;
        public string Name => name;
        public double Stock { get; set; } = stock;
        public double Reserve { get; set; }
        public double Available => Stock - Reserve;
    }

    public MoySkladSimulator()
    {
        AddProduct("8f1a2b3c-0000-4000-8000-00000000a001", "Смеситель для кухни", 12);
        AddProduct("8f1a2b3c-0000-4000-8000-00000000a002", "Унитаз подвесной", 3);
    }

    public IReadOnlyDictionary<string, Product> Products => _products;
    public void AddProduct(string id, string name, double stock) => _products[id] = new Product(id, name, stock);

    string Href(string type, string id) => $"{Base}/api/remap/1.2/entity/{type}/{id}";

    protected override void Map(WebApplication app)
    {
        var api = app.MapGroup("/api/remap/1.2");
        api.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!http.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
                return Results.StatusCode(415);
            var auth = http.Request.Headers.Authorization.ToString();
            var basic = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Login}:{Password}"));
            if (auth != $"Bearer {Token}" && auth != basic)
            {
                http.Response.Headers["X-Lognex-Auth"] = "1056";
                http.Response.Headers["X-Lognex-Auth-Message"] = "Incorrect credentials";
                return Errors(401, 1056, "Ошибка аутентификации: Неправильный пароль или имя пользователя или ключ авторизации");
            }
            if (TakeFailure())
            {
                http.Response.Headers["X-RateLimit-Limit"] = "45";
                http.Response.Headers["X-RateLimit-Remaining"] = "0";
                http.Response.Headers["X-Lognex-Retry-TimeInterval"] = "3000";
                http.Response.Headers["X-Lognex-Retry-After"] = "50";
                return Errors(429, 1049, "Превышено ограничение на количество запросов в единицу времени");
            }
            return await next(context);
        });
        api.MapGet("/report/stock/all", (HttpRequest request) =>
        {
            var filter = request.Query["filter"].ToString();
            var products = _products.Values.AsEnumerable();
            foreach (var part in filter.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = part.Split('=', 2);
                if (kv.Length == 2 && kv[0] == "product") products = products.Where(p => kv[1].TrimEnd('/').EndsWith(p.Id, StringComparison.Ordinal));
                else if (kv.Length == 2 && kv[0] == "search") products = products.Where(p => p.Name.Contains(kv[1], StringComparison.OrdinalIgnoreCase));
            }
            var rows = products.Select(p => (JsonNode)new JsonObject
            {
                ["meta"] = Meta("product", p.Id),
                ["name"] = p.Name,
                ["stock"] = p.Stock,
                ["reserve"] = p.Reserve,
                ["inTransit"] = 0,
                ["quantity"] = p.Available,
                ["price"] = 0,
                ["salePrice"] = 150000,
            }).ToArray();
            return Json(new JsonObject
            {
                ["meta"] = new JsonObject { ["size"] = rows.Length, ["limit"] = 1000, ["offset"] = 0 },
                ["rows"] = new JsonArray(rows),
            });
        });
        api.MapPost("/entity/customerorder", async (HttpRequest request) =>
        {
            JsonObject? body;
            try { body = await JsonNode.ParseAsync(request.Body) as JsonObject; }
            catch (System.Text.Json.JsonException) { return Errors(400, 2016, "Ошибка формата JSON"); }
            if (body is null) return Errors(400, 2016, "Ошибка формата JSON");
            if (body["organization"]?["meta"]?["href"] is null) return Errors(412, 3000, "Ошибка сохранения объекта: поле 'organization' не может быть пустым", "organization");
            if (body["agent"]?["meta"]?["href"] is null) return Errors(412, 3000, "Ошибка сохранения объекта: поле 'agent' не может быть пустым", "agent");
            var positions = body["positions"] as JsonArray ?? [];
            var plan = new List<(Product, double)>();
            foreach (var pos in positions.OfType<JsonObject>())
            {
                var href = Str(pos["assortment"]?["meta"]?["href"]) ?? "";
                var product = _products.Values.FirstOrDefault(p => href.TrimEnd('/').EndsWith(p.Id, StringComparison.Ordinal));
                if (product is null) return Errors(404, 1021, $"Объект с UUID '{href.Split('/').Last()}' не найден", "assortment");
                var reserve = pos["reserve"]?.GetValue<double>() ?? 0;
                if (reserve > product.Available) return Errors(412, 3007, $"Недостаточно товара '{product.Name}' для резерва: доступно {product.Available}", "reserve");
                plan.Add((product, reserve));
            }
            lock (_products) foreach (var (product, reserve) in plan) product.Reserve += reserve;
            var n = Interlocked.Increment(ref _order);
            var id = Guid.NewGuid().ToString();
            var sum = positions.OfType<JsonObject>().Sum(p => (p["price"]?.GetValue<double>() ?? 0) * (p["quantity"]?.GetValue<double>() ?? 0));
            return Json(new JsonObject
            {
                ["meta"] = Meta("customerorder", id),
                ["id"] = id,
                ["name"] = n.ToString("00000"),
                ["sum"] = sum,
                ["externalCode"] = body["externalCode"]?.DeepClone(),
                ["description"] = body["description"]?.DeepClone(),
                ["positions"] = new JsonObject { ["meta"] = new JsonObject { ["href"] = Href("customerorder", id) + "/positions", ["size"] = positions.Count } },
            });
        });
    }

    JsonObject Meta(string type, string id) => new() { ["href"] = Href(type, id), ["type"] = type, ["mediaType"] = "application/json" };

    static IResult Errors(int status, int code, string text, string? parameter = null)
    {
        var error = new JsonObject { ["error"] = text, ["code"] = code, ["moreInfo"] = $"https://api.moysklad.ru/api/remap/1.2/doc#обработка-ошибок-{code}" };
        if (parameter is not null) error["parameter"] = parameter;
        return Json(new JsonObject { ["errors"] = new JsonArray(error) }, status);
    }
}
