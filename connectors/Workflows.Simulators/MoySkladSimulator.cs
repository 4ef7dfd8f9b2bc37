using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Workflows.Simulators;

/// <summary>
/// MoySklad JSON API 1.2 under /api/remap/1.2: GET report/stock/all and entity/product (filters
/// product, externalCode, code, article, search; limit/offset paging with nextHref), POST entity/customerorder
/// (positions with reserve lower the available quantity; the orders are kept), GET/PUT entity/customerorder/{id}
/// (state), its positions (PUT a position's reserve) and entity/customerorder/metadata (the states). Requires
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
    readonly ConcurrentDictionary<string, CustomerOrder> _orders = new();
    int _order;
    int _product = 100;

    public sealed class Product(string id, string name, double stock)
    {
        public string Id => id;
        public string Name { get; set; } = name;
        public double Stock { get; set; } = stock;
        public double Reserve { get; set; }
        public double Available => Stock - Reserve;
        /// <summary>The external code the landing pages' buttons carry (seed 004).</summary>
        public string ExternalCode { get; set; } = "";
        public string Code { get; set; } = "";
        public string Article { get; set; } = "";
        /// <summary>Sale price in kopecks, as MoySklad keeps it.</summary>
        public double SalePrice { get; set; } = 150000;
    }

    public sealed record Position(string Id, Product Product, double Quantity, double Price)
    {
        public double Reserve { get; set; }
    }

    public sealed class CustomerOrder(string id, string name)
    {
        public string Id => id;
        public string Name => name;
        public string? ExternalCode { get; init; }
        public string? Description { get; init; }
        public string State { get; set; } = States[0];
        public List<Position> Positions { get; } = [];
    }

    /// <summary>The customer-order states of the shop's account (entity/customerorder/metadata), named as RetailCRM's statuses map to them.</summary>
    public static readonly string[] States = ["Новый", "Недозвон", "Подтвержден", "Принят в работу", "Выполнен", "Перенос", "Отменен"];

    public MoySkladSimulator()
    {
        AddProduct("8f1a2b3c-0000-4000-8000-00000000a001", "Смеситель для кухни", 12, externalCode: "MIX-KITCHEN-01", price: 4990);
        AddProduct("8f1a2b3c-0000-4000-8000-00000000a002", "Унитаз подвесной", 3, externalCode: "WC-WALL-02", price: 15990);
        AddProduct("8f1a2b3c-0000-4000-8000-00000000a003", "Инсталляция для унитаза", 7, externalCode: "INST-03", price: 12490);
        AddProduct("8f1a2b3c-0000-4000-8000-00000000a004", "Сиденье с микролифтом", 25, externalCode: "SEAT-04", price: 2490);
    }

    public IReadOnlyDictionary<string, Product> Products => _products;
    public IReadOnlyDictionary<string, CustomerOrder> Orders => _orders;

    public Product AddProduct(string id, string name, double stock, string? externalCode = null, double price = 1500)
    {
        var n = Interlocked.Increment(ref _product);
        var product = new Product(id, name, stock) { ExternalCode = externalCode ?? id, Code = $"{n:D5}", Article = $"ART-{n}", SalePrice = price * 100 };
        _products[id] = product;
        return product;
    }

    public CustomerOrder? OrderNamed(string name) => _orders.Values.FirstOrDefault(o => o.Name == name);

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
            var products = Filtered(_products.Values, request.Query["filter"].ToString()).OrderBy(p => p.Code, StringComparer.Ordinal).ToList();
            var (limit, offset) = Page(request);
            var rows = products.Skip(offset).Take(limit).Select(p => (JsonNode)new JsonObject
            {
                ["meta"] = Meta("product", p.Id),
                ["name"] = p.Name,
                ["code"] = p.Code,
                ["article"] = p.Article,
                ["externalCode"] = p.ExternalCode,
                ["stock"] = p.Stock,
                ["reserve"] = p.Reserve,
                ["inTransit"] = 0,
                ["quantity"] = p.Available,
                ["price"] = 0,
                ["salePrice"] = p.SalePrice,
            }).ToArray();
            return Json(Listing(rows, products.Count, limit, offset, "report/stock/all"));
        });
        api.MapGet("/entity/product", (HttpRequest request) =>
        {
            var products = Filtered(_products.Values, request.Query["filter"].ToString()).OrderBy(p => p.Code, StringComparer.Ordinal).ToList();
            var (limit, offset) = Page(request);
            var rows = products.Skip(offset).Take(limit).Select(p => (JsonNode)new JsonObject
            {
                ["meta"] = Meta("product", p.Id),
                ["id"] = p.Id,
                ["name"] = p.Name,
                ["code"] = p.Code,
                ["article"] = p.Article,
                ["externalCode"] = p.ExternalCode,
                ["salePrices"] = new JsonArray(new JsonObject { ["value"] = p.SalePrice, ["priceType"] = new JsonObject { ["name"] = "Цена продажи" } }),
            }).ToArray();
            return Json(Listing(rows, products.Count, limit, offset, "entity/product"));
        });
        api.MapGet("/entity/customerorder/metadata", () => Json(new JsonObject
        {
            ["states"] = new JsonArray(States.Select((name, i) => (JsonNode)new JsonObject
            {
                ["meta"] = Meta("state", StateId(i), "entity/customerorder/metadata/states"),
                ["id"] = StateId(i),
                ["name"] = name,
            }).ToArray()),
        }));
        api.MapGet("/entity/customerorder", (HttpRequest request) =>
        {
            var filter = request.Query["filter"].ToString();
            var orders = _orders.Values.AsEnumerable();
            foreach (var part in filter.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = part.Split('=', 2);
                if (kv.Length == 2 && kv[0] == "name") orders = orders.Where(o => o.Name == kv[1]);
                else if (kv.Length == 2 && kv[0] == "externalCode") orders = orders.Where(o => o.ExternalCode == kv[1]);
            }
            var rows = orders.Select(OrderJson).Cast<JsonNode>().ToArray();
            return Json(Listing(rows, rows.Length, 1000, 0, "entity/customerorder"));
        });
        api.MapGet("/entity/customerorder/{id}", (string id) =>
            _orders.TryGetValue(id, out var order) ? Json(OrderJson(order)) : Errors(404, 1021, $"Объект с UUID '{id}' не найден"));
        api.MapPut("/entity/customerorder/{id}", async (string id, HttpRequest request) =>
        {
            if (!_orders.TryGetValue(id, out var order)) return Errors(404, 1021, $"Объект с UUID '{id}' не найден");
            JsonObject? body;
            try { body = await JsonNode.ParseAsync(request.Body) as JsonObject; }
            catch (System.Text.Json.JsonException) { return Errors(400, 2016, "Ошибка формата JSON"); }
            if (Str(body?["state"]?["meta"]?["href"]) is { } href)
            {
                var index = Enumerable.Range(0, States.Length).FirstOrDefault(i => href.EndsWith(StateId(i), StringComparison.Ordinal), -1);
                if (index < 0) return Errors(404, 1021, $"Статус '{href.Split('/').Last()}' не найден", "state");
                order.State = States[index];
            }
            return Json(OrderJson(order));
        });
        api.MapGet("/entity/customerorder/{id}/positions", (string id) =>
            _orders.TryGetValue(id, out var order)
                ? Json(Listing(order.Positions.Select(p => PositionJson(order, p)).Cast<JsonNode>().ToArray(), order.Positions.Count, 1000, 0, $"entity/customerorder/{id}/positions"))
                : Errors(404, 1021, $"Объект с UUID '{id}' не найден"));
        api.MapPut("/entity/customerorder/{id}/positions/{positionId}", async (string id, string positionId, HttpRequest request) =>
        {
            if (!_orders.TryGetValue(id, out var order) || order.Positions.FirstOrDefault(p => p.Id == positionId) is not { } position)
                return Errors(404, 1021, $"Объект с UUID '{positionId}' не найден");
            var body = await JsonNode.ParseAsync(request.Body) as JsonObject;
            if (body?["reserve"] is JsonValue r && r.TryGetValue(out double reserve))
            {
                if (reserve < 0 || reserve > position.Quantity) return Errors(412, 3007, "Резерв не может быть больше количества", "reserve");
                lock (_products)
                {
                    if (reserve - position.Reserve > position.Product.Available) return Errors(412, 3007, $"Недостаточно товара '{position.Product.Name}' для резерва", "reserve");
                    position.Product.Reserve += reserve - position.Reserve;
                    position.Reserve = reserve;
                }
            }
            return Json(PositionJson(order, position));
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
            var n = Interlocked.Increment(ref _order);
            var order = new CustomerOrder(Guid.NewGuid().ToString(), Str(body["name"]) ?? n.ToString("00000", CultureInfo.InvariantCulture))
            {
                ExternalCode = Str(body["externalCode"]),
                Description = Str(body["description"]),
            };
            lock (_products)
            {
                var i = 0;
                foreach (var (product, reserve) in plan)
                {
                    var pos = (JsonObject)positions[i++]!;
                    product.Reserve += reserve;
                    order.Positions.Add(new Position(Guid.NewGuid().ToString(), product, pos["quantity"]?.GetValue<double>() ?? 1, pos["price"]?.GetValue<double>() ?? 0) { Reserve = reserve });
                }
            }
            _orders[order.Id] = order;
            return Json(OrderJson(order));
        });
    }

    JsonObject OrderJson(CustomerOrder o)
    {
        var state = Array.IndexOf(States, o.State);
        return new JsonObject
        {
            ["meta"] = Meta("customerorder", o.Id),
            ["id"] = o.Id,
            ["name"] = o.Name,
            ["sum"] = o.Positions.Sum(p => p.Price * p.Quantity),
            ["externalCode"] = o.ExternalCode,
            ["description"] = o.Description,
            ["state"] = new JsonObject { ["meta"] = Meta("state", StateId(state), "entity/customerorder/metadata/states") },
            ["positions"] = new JsonObject { ["meta"] = new JsonObject { ["href"] = Href("customerorder", o.Id) + "/positions", ["size"] = o.Positions.Count } },
        };
    }

    JsonObject PositionJson(CustomerOrder o, Position p) => new()
    {
        ["meta"] = new JsonObject { ["href"] = $"{Href("customerorder", o.Id)}/positions/{p.Id}", ["type"] = "customerorderposition" },
        ["id"] = p.Id,
        ["quantity"] = p.Quantity,
        ["reserve"] = p.Reserve,
        ["price"] = p.Price,
        ["assortment"] = new JsonObject { ["meta"] = Meta("product", p.Product.Id) },
    };

    static string StateId(int index) => $"5c0e1a2b-0000-4000-8000-0000000000{index + 10:D2}";

    static IEnumerable<Product> Filtered(IEnumerable<Product> products, string filter)
    {
        // MoySklad filters: ';' between conditions, the same key repeated means "any of".
        foreach (var group in filter.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2).GroupBy(kv => kv[0]))
        {
            var values = group.Select(kv => kv[1]).ToList();
            products = group.Key switch
            {
                "product" => products.Where(p => values.Any(v => v.TrimEnd('/').EndsWith(p.Id, StringComparison.Ordinal))),
                "search" => products.Where(p => values.Any(v => p.Name.Contains(v, StringComparison.OrdinalIgnoreCase))),
                "externalCode" => products.Where(p => values.Contains(p.ExternalCode)),
                "code" => products.Where(p => values.Contains(p.Code)),
                "article" => products.Where(p => values.Contains(p.Article)),
                _ => products,
            };
        }
        return products;
    }

    static (int Limit, int Offset) Page(HttpRequest request)
    {
        var limit = int.TryParse(request.Query["limit"], out var l) ? Math.Clamp(l, 1, 1000) : 1000;
        var offset = int.TryParse(request.Query["offset"], out var o) ? Math.Max(0, o) : 0;
        return (limit, offset);
    }

    JsonObject Listing(JsonNode[] rows, int size, int limit, int offset, string path)
    {
        var meta = new JsonObject { ["size"] = size, ["limit"] = limit, ["offset"] = offset };
        if (offset + limit < size) meta["nextHref"] = $"{Base}/api/remap/1.2/{path}?limit={limit}&offset={offset + limit}";
        return new JsonObject { ["meta"] = meta, ["rows"] = new JsonArray(rows) };
    }

    JsonObject Meta(string type, string id, string? path = null) =>
        new() { ["href"] = path is null ? Href(type, id) : $"{Base}/api/remap/1.2/{path}/{id}", ["type"] = type, ["mediaType"] = "application/json" };

    static IResult Errors(int status, int code, string text, string? parameter = null)
    {
        var error = new JsonObject { ["error"] = text, ["code"] = code, ["moreInfo"] = $"https://api.moysklad.ru/api/remap/1.2/doc#обработка-ошибок-{code}" };
        if (parameter is not null) error["parameter"] = parameter;
        return Json(new JsonObject { ["errors"] = new JsonArray(error) }, status);
    }
}
