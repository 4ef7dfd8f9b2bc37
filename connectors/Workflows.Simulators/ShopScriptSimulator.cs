using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Workflows.Simulators;

/// <summary>
/// Webasyst Shop-Script: GET /api.php/shop.order.getInfo?id=&amp;access_token= from in-memory orders
/// (401 invalid_token for a bad token, 404 invalid_param for a missing order), and
/// <see cref="FireWebhookAsync"/>, which POSTs an order notification the way the "HTTP request" transport
/// does with our documented raw-body template: a public-API envelope
/// <c>{"ops":[{"type":"create","obj":"task","ref":"shop-order-{id}","data":{order_id, state_id, total, currency, customer_*, items, comment}}]}</c>.
/// </summary>
public sealed class ShopScriptSimulator : HttpSimulator
{
    public const string AccessToken = "demo-shop-token";
    readonly ConcurrentDictionary<string, JsonObject> _orders = new();

    public ShopScriptSimulator()
    {
        AddOrder(new JsonObject
        {
            ["id"] = "101", ["contact_id"] = "5", ["state_id"] = "new", ["total"] = "3000.0000", ["currency"] = "RUB",
            ["create_datetime"] = "2026-11-20 10:15:00", ["comment"] = "Позвоните после 18:00",
            ["contact"] = new JsonObject { ["id"] = "5", ["name"] = "Иван Петров", ["email"] = "ivan@example.com", ["phone"] = "+7 (916) 123-45-67" },
            ["items"] = new JsonArray(
                new JsonObject { ["id"] = "1", ["name"] = "Картридж &quot;Аква&quot;", ["product_id"] = "11", ["sku_code"] = "AQ-1", ["type"] = "product", ["price"] = "1000.0000", ["quantity"] = "3" }),
        });
    }

    public void AddOrder(JsonObject order) => _orders[(string)order["id"]!] = order;

    protected override void Map(WebApplication app) =>
        app.MapGet("/api.php/shop.order.getInfo", (HttpRequest request) =>
        {
            var token = request.Query["access_token"].ToString();
            if (token.Length == 0 && request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)) token = auth[7..];
            if (token.Length == 0) return Json(new JsonObject { ["error"] = "token_required", ["error_description"] = "Access token required" }, 400);
            if (token != AccessToken) return Json(new JsonObject { ["error"] = "invalid_token", ["error_description"] = "Invalid access token" }, 401);
            if (TakeFailure()) return Json(new JsonObject { ["error"] = "server_error", ["error_description"] = "Temporarily unavailable" }, 503);
            return _orders.TryGetValue(request.Query["id"].ToString(), out var order)
                ? Json(order.DeepClone())
                : Json(new JsonObject { ["error"] = "invalid_param", ["error_description"] = "Order not found" }, 404);
        });

    /// <summary>The notification body our documented template produces for one order.</summary>
    public JsonObject NotificationFor(string orderId)
    {
        var o = _orders[orderId];
        return new JsonObject
        {
            ["order_id"] = o["id"]?.DeepClone(),
            ["state_id"] = o["state_id"]?.DeepClone(),
            ["total"] = o["total"]?.DeepClone(),
            ["currency"] = o["currency"]?.DeepClone(),
            ["customer_name"] = o["contact"]?["name"]?.DeepClone(),
            ["customer_email"] = o["contact"]?["email"]?.DeepClone(),
            ["customer_phone"] = o["contact"]?["phone"]?.DeepClone(),
            ["items"] = o["items"]?.ToJsonString(),
            ["comment"] = o["comment"]?.DeepClone(),
        };
    }

    /// <summary>POSTs the order notification to a process's public URL (as Shop-Script's HTTP transport would).</summary>
    public async Task<JsonNode?> FireWebhookAsync(string url, string orderId)
    {
        var envelope = new JsonObject
        {
            ["ops"] = new JsonArray(new JsonObject
            {
                ["type"] = "create", ["obj"] = "task", ["ref"] = $"shop-order-{orderId}", ["data"] = NotificationFor(orderId),
            }),
        };
        using var http = Provider.GetRequiredService<IHttpClientFactory>().CreateClient();
        using var response = await http.PostAsJsonAsync(url, envelope);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync());
    }
}
