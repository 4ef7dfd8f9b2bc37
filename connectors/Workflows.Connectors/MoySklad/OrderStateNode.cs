using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.MoySklad;

/// <summary>
/// A customer order's state: finds the order (by name, or by id/href), reads its state's name from
/// entity/customerorder/metadata and, when <c>state</c> is given and differs, sets it (PUT
/// entity/customerorder/{id}); <c>release_reserve</c> then sets every position's reserve to 0. Already in
/// that state: the unchanged exit (what stops a two-way sync from looping). Puts
/// <c>{id, name, state, previous_state, released}</c> under result_key.
/// </summary>
public sealed class OrderStateNode(ConnectorServices services) : ConnectorNode<OrderStateNode.Prepared>(services)
{
    public static readonly string[] ByOptions = ["name", "id"];

    public sealed record Prepared(string Credential, string? ResultKey, Template Order, string By, Template? State, Template? Release) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("moysklad.order_state", "MoySklad: customer order state", "flag", MoySkladApi.Kind,
    [
        new ParamSpec("order", ParamKind.Template, "Order", Required: true, Help: "The order's name (the shop's order number), or its id or href."),
        new ParamSpec("by", ParamKind.Select, "Find by", Default: "name", Options: ByOptions),
        new ParamSpec("state", ParamKind.Template, "New state", Help: "A state's name (e.g. Подтвержден); empty: only read the state."),
        new ParamSpec("release_reserve", ParamKind.Template, "Release reserves", Help: "true: set every position's reserve to 0 after the change (a cancel)."),
        ResultKeyParam("moysklad_order"),
    ],
    [new ExitSpec("unchanged", "Already in that state", Required: false), new ExitSpec("not_found", "Order not found", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "moysklad_order");
        var order = context.Template("order", required: true);
        var by = context.String("by") ?? "name";
        if (!ByOptions.Contains(by)) context.Error("params.by", "must be name or id");
        return order is null ? null : new Prepared(credential, key, order, by, context.Template("state"), context.Template("release_reserve"));
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, MoySkladApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (MoySkladApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var key = Render(step, node.Order).Trim();
        if (key.Length == 0) return NodeOutcome.Go("not_found");
        JsonObject? order;
        if (node.By == "name")
        {
            var list = await Call(credential, HttpMethod.Get, $"entity/customerorder?filter=name={Uri.EscapeDataString(key)}", null, step);
            if (!list.Ok) return list.Failure;
            order = (list.Json!["rows"] as JsonArray)?.FirstOrDefault() as JsonObject;
        }
        else
        {
            var one = await Call(credential, HttpMethod.Get, $"entity/customerorder/{Uri.EscapeDataString(key.TrimEnd('/').Split('/').Last())}", null, step);
            if (one.Error is { Tag: "not_found" }) return NodeOutcome.Go("not_found");
            if (!one.Ok) return one.Failure;
            order = one.Json as JsonObject;
        }
        if (order is null) return NodeOutcome.Go("not_found");
        var id = Template.AsText(order["id"]);
        var metadata = await Call(credential, HttpMethod.Get, "entity/customerorder/metadata", null, step);
        if (!metadata.Ok) return metadata.Failure;
        var states = (metadata.Json!["states"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var currentHref = Template.AsText(order["state"]?["meta"]?["href"]);
        var current = states.FirstOrDefault(s => currentHref.Length > 0 && currentHref.EndsWith(Template.AsText(s["id"]), StringComparison.Ordinal));
        var currentName = current is null ? null : Template.AsText(current["name"]);
        var result = new JsonObject { ["id"] = id, ["name"] = order["name"]?.DeepClone(), ["state"] = currentName, ["previous_state"] = currentName, ["released"] = 0 };
        var wanted = Render(step, node.State).Trim();
        if (wanted.Length == 0)
        {
            Put(step, node.ResultKey, result);
            return NodeOutcome.Go();
        }
        if (string.Equals(wanted, currentName, StringComparison.OrdinalIgnoreCase))
        {
            Put(step, node.ResultKey, result);
            return NodeOutcome.Go("unchanged");
        }
        var target = states.FirstOrDefault(s => string.Equals(Template.AsText(s["name"]), wanted, StringComparison.OrdinalIgnoreCase));
        if (target is null)
            return NodeOutcome.Software("validation_error", $"MoySklad has no customer-order state '{wanted}'; it has: {string.Join(", ", states.Select(s => Template.AsText(s["name"])))}");
        var put = await Call(credential, HttpMethod.Put, $"entity/customerorder/{id}", new JsonObject { ["state"] = new JsonObject { ["meta"] = target["meta"]!.DeepClone() } }, step);
        if (!put.Ok) return put.Failure;
        result["state"] = Template.AsText(target["name"]);
        if (Render(step, node.Release).Trim().Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            var positions = await Call(credential, HttpMethod.Get, $"entity/customerorder/{id}/positions", null, step);
            if (!positions.Ok) return positions.Failure;
            var released = 0;
            foreach (var position in (positions.Json!["rows"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (position["reserve"] is not JsonValue r || !r.TryGetValue(out double reserve) || reserve <= 0) continue;
                var freed = await Call(credential, HttpMethod.Put, $"entity/customerorder/{id}/positions/{Template.AsText(position["id"])}", new JsonObject { ["reserve"] = 0 }, step);
                if (!freed.Ok) return freed.Failure;
                released++;
            }
            result["released"] = released;
        }
        Put(step, node.ResultKey, result);
        return NodeOutcome.Go();
    }

    Task<VendorResult> Call(Credential credential, HttpMethod method, string path, JsonNode? body, StepContext step) =>
        MoySkladApi.SendAsync(Services, credential, method, path, body, step.Cancellation);
}
