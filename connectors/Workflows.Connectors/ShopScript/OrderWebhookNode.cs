using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.ShopScript;

/// <summary>
/// Turns a Shop-Script order notification (the "HTTP request" transport, since 8.15) in the task data into
/// the normalised order the templates use:
/// <c>order {id, number, status, total, currency, comment, created_at, customer {name, email, phone}, items [{name, sku, product_id, quantity, price}]}</c>.
/// Accepts the documented notification template (<c>order_id, state_id, total, currency, customer_name,
/// customer_email, customer_phone, items</c> with items as a list, an id-keyed object or JSON text) and the
/// shop.order.getInfo shape (<c>id, state_id, contact{…}, items</c>), also nested under <c>order</c>.
/// Names are HTML-unescaped; the phone keeps digits only. Pure mapping: no credential, no call out.
/// </summary>
public sealed class OrderWebhookNode : NodeType<OrderWebhookNode.Prepared>
{
    public sealed record Prepared(DataPath? Source, DataPath Target);

    public override NodeDescription Description { get; } = new(
        "shopscript.order_webhook", "Shop-Script: order from webhook", "connectors", "shopping-bag", NodeKind.Instant,
        [
            new ParamSpec("source_path", ParamKind.String, "Webhook body at", Help: "Path of the notification body in the task data; empty: the data itself."),
            new ParamSpec("result_key", ParamKind.String, "Put the order under", Default: "order"),
        ],
        [Exits.NextExit, Exits.ErrorExit],
        ErrorKind: "shopscript",
        Help: "Notification template to configure in Shop-Script (POST params): order_id={$order.id}, state_id={$order.state_id}, total={$order.total}, currency={$order.currency}, customer_name={$customer.name}, customer_email={$customer.email}, customer_phone={$customer.phone}, items={$order.items|json_encode}, comment={$order.comment}");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var source = context.String("source_path");
        var target = context.String("result_key") ?? "order";
        try
        {
            return new Prepared(string.IsNullOrWhiteSpace(source) ? null : DataPath.Parse(source.Trim()), DataPath.Parse(string.IsNullOrWhiteSpace(target) ? "order" : target.Trim()));
        }
        catch (TemplateException e)
        {
            context.Error("params.source_path", e.Message);
            return null;
        }
    }

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var body = node.Source is null ? step.Data : node.Source.Get(step.Data) as JsonObject;
        if (body is null) return ValueTask.FromResult(NodeOutcome.Software("no_webhook", $"no notification body at '{node.Source}'"));
        var order = Normalise(body, out var problem);
        if (order is null) return ValueTask.FromResult(NodeOutcome.Software("bad_webhook", problem!));
        step.Set(node.Target, order);
        return NodeOutcome.Next;
    }

    public static JsonObject? Normalise(JsonObject body, out string? problem)
    {
        var src = body["order"] is JsonObject nested && (nested["id"] is not null || nested["order_id"] is not null) ? nested : body;
        var id = Text(src["order_id"]) ?? Text(src["id"]);
        if (string.IsNullOrWhiteSpace(id)) { problem = "the notification has no order id (order_id or id)"; return null; }
        var contact = src["contact"] as JsonObject ?? body["customer"] as JsonObject ?? src["customer"] as JsonObject;
        var parameters = src["params"] as JsonObject;
        string? Pick(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        var phone = Pick(Text(src["customer_phone"]), Text(contact?["phone"]), Text(parameters?["contact_phone"]));
        var items = new JsonArray();
        foreach (var item in ItemsOf(src["items"]))
        {
            items.Add(new JsonObject
            {
                ["name"] = Unescape(Text(item["name"])),
                ["sku"] = Text(item["sku_code"]) ?? Text(item["sku"]),
                ["product_id"] = Text(item["product_id"]),
                ["type"] = Text(item["type"]) ?? "product",
                ["quantity"] = Number(item["quantity"]) ?? 1,
                ["price"] = Number(item["price"]) ?? 0,
            });
        }
        problem = null;
        return new JsonObject
        {
            ["id"] = id,
            ["number"] = Text(src["number"]) ?? Text(src["id_str"]) ?? $"#{id}",
            ["status"] = Text(src["state_id"]) ?? Text(src["status"]) ?? "new",
            ["total"] = Number(src["total"]) ?? items.OfType<JsonObject>().Sum(i => (double)i["price"]! * (double)i["quantity"]!),
            ["currency"] = Text(src["currency"]) ?? "RUB",
            ["comment"] = Unescape(Text(src["comment"])),
            ["created_at"] = Text(src["create_datetime"]) ?? Text(src["created_at"]),
            ["customer"] = new JsonObject
            {
                ["id"] = Text(src["contact_id"]) ?? Text(contact?["id"]),
                ["name"] = Unescape(Pick(Text(src["customer_name"]), Text(contact?["name"]), Text(parameters?["contact_name"]))),
                ["email"] = Pick(Text(src["customer_email"]), Text(contact?["email"]), Text(parameters?["contact_email"])),
                ["phone"] = phone is null ? null : new string(phone.Where(char.IsDigit).ToArray()),
            },
            ["items"] = items,
        };
    }

    static IEnumerable<JsonObject> ItemsOf(JsonNode? items)
    {
        if (items is JsonValue v && v.TryGetValue(out string? text) && text.TrimStart() is ['[' or '{', ..])
        {
            try { items = JsonNode.Parse(text); } catch (System.Text.Json.JsonException) { items = null; }
        }
        return items switch
        {
            JsonArray a => a.OfType<JsonObject>(),
            JsonObject o => o.Select(kv => kv.Value).OfType<JsonObject>(),
            _ => [],
        };
    }

    static string? Text(JsonNode? node) => node is null ? null : Template.AsText(node) is { Length: > 0 } s ? s : null;

    static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out string? s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    static string? Unescape(string? text) => text is null ? null : WebUtility.HtmlDecode(text);
}
