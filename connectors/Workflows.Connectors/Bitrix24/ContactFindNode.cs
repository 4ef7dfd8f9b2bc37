using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Bitrix24;

/// <summary>
/// crm.contact.list: finds a contact by phone (exact match, as Bitrix24 filters phones) or by any field
/// (a partner id kept in UF_CRM_PARTNER, UTM_SOURCE…). Found: the first contact under result_key and
/// its id in contact_id, exit "next"; none: exit "not_found".
/// </summary>
public sealed class ContactFindNode(ConnectorServices services) : ConnectorNode<ContactFindNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, Template? Phone, string? Field, Template? Value) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("bitrix24.contact_find", "Bitrix24: find contact", "search", Bitrix24Api.Kind,
    [
        new ParamSpec("phone", ParamKind.Template, "Phone", Help: "Exact phone as stored in Bitrix24."),
        new ParamSpec("field", ParamKind.String, "Or field", Help: "A contact field to match: UF_CRM_PARTNER_ID, UTM_SOURCE…"),
        new ParamSpec("value", ParamKind.Template, "Field value", Help: "e.g. {{cookies.utm_source}}"),
        ResultKeyParam("contact"),
    ],
    [new ExitSpec("not_found", "Not found")]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "contact");
        var phone = context.Template("phone");
        var field = context.String("field");
        var value = context.Template("value");
        if (phone is null && string.IsNullOrWhiteSpace(field)) context.Error("params.phone", "give a phone, or a field and a value");
        if (!string.IsNullOrWhiteSpace(field) && value is null) context.Error("params.value", "is required with a field");
        return new Prepared(credential, key, phone, string.IsNullOrWhiteSpace(field) ? null : field.Trim(), value);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Bitrix24Api.Kind, step.Cancellation);
        if (credential is null) return failure;
        var filter = new JsonObject();
        var select = new JsonArray("ID", "NAME", "LAST_NAME", "PHONE", "EMAIL", "ASSIGNED_BY_ID");
        if (node.Phone is not null && Render(step, node.Phone) is { Length: > 0 } phone) filter["PHONE"] = phone;
        if (node.Field is not null) { filter[node.Field] = Render(step, node.Value); select.Add(node.Field); }
        if (filter.Count == 0) return NodeOutcome.Software("bad_request", "nothing to search by: the phone and the value are empty");
        var result = await Bitrix24Api.CallAsync(Services, credential, "crm.contact.list", new JsonObject { ["filter"] = filter, ["select"] = select }, step.Cancellation);
        if (!result.Ok) return result.Failure;
        if (result.Json!["result"] is not JsonArray { Count: > 0 } rows) return NodeOutcome.Go("not_found");
        Put(step, node.ResultKey, rows[0]!.DeepClone());
        step.Set("contact_id", rows[0]!["ID"]?.DeepClone());
        return NodeOutcome.Go();
    }
}
