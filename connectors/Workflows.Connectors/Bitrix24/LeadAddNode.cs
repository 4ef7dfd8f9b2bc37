using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Bitrix24;

/// <summary>crm.lead.add: creates a lead from templated fields (plus a phone shortcut) and puts its id in the task.</summary>
public sealed class LeadAddNode(ConnectorServices services) : ConnectorNode<LeadAddNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, ValueTemplate Fields, Template? Phone, Template? Email)
        : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("bitrix24.lead_add", "Bitrix24: add lead", "user-plus", Bitrix24Api.Kind,
    [
        new ParamSpec("fields", ParamKind.Json, "Lead fields", Required: true, Help: "TITLE, NAME, SOURCE_ID, UTM_SOURCE, COMMENTS, UF_*… with {{templates}}."),
        new ParamSpec("phone", ParamKind.Template, "Phone", Help: "Added as PHONE [{VALUE, VALUE_TYPE: WORK}]."),
        new ParamSpec("email", ParamKind.Template, "E-mail"),
        ResultKeyParam("lead_id"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "lead_id");
        var fields = JsonParam(context, "fields", required: true);
        var phone = context.Template("phone");
        var email = context.Template("email");
        return fields is null ? null : new Prepared(credential, key, fields, phone, email);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Bitrix24Api.Kind, step.Cancellation);
        if (credential is null) return failure;
        var fields = RenderObject(step, node.Fields);
        if (Render(step, node.Phone) is { Length: > 0 } phone) fields["PHONE"] = new JsonArray(new JsonObject { ["VALUE"] = phone, ["VALUE_TYPE"] = "WORK" });
        if (Render(step, node.Email) is { Length: > 0 } email) fields["EMAIL"] = new JsonArray(new JsonObject { ["VALUE"] = email, ["VALUE_TYPE"] = "WORK" });
        var result = await Bitrix24Api.CallAsync(Services, credential, "crm.lead.add", new JsonObject { ["fields"] = fields, ["params"] = new JsonObject { ["REGISTER_SONET_EVENT"] = "Y" } }, step.Cancellation);
        if (!result.Ok) return result.Failure;
        Put(step, node.ResultKey, result.Json!["result"]?.DeepClone());
        return NodeOutcome.Go();
    }
}
