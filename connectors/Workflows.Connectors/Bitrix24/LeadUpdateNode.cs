using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Bitrix24;

/// <summary>crm.lead.update: changes the given fields of a lead. A missing lead leaves by "not_found".</summary>
public sealed class LeadUpdateNode(ConnectorServices services) : ConnectorNode<LeadUpdateNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, Template LeadId, ValueTemplate Fields) : ConnectorPrepared(Credential, null);

    public override NodeDescription Description { get; } = Describe("bitrix24.lead_update", "Bitrix24: update lead", "user-check", Bitrix24Api.Kind,
    [
        new ParamSpec("lead_id", ParamKind.Template, "Lead id", Required: true, Default: "{{lead_id}}"),
        new ParamSpec("fields", ParamKind.Json, "Changed fields", Required: true, Help: "Only the fields to change, e.g. {\"STATUS_ID\": \"IN_PROCESS\"}."),
    ],
    [new ExitSpec("not_found", "Lead not found", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, _) = Common(context);
        var id = context.Template("lead_id", required: true);
        var fields = JsonParam(context, "fields", required: true);
        return id is null || fields is null ? null : new Prepared(credential, id, fields);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Bitrix24Api.Kind, step.Cancellation);
        if (credential is null) return failure;
        var id = Render(step, node.LeadId);
        var result = await Bitrix24Api.CallAsync(Services, credential, "crm.lead.update", new JsonObject { ["id"] = id, ["fields"] = RenderObject(step, node.Fields) }, step.Cancellation);
        if (result.Error is { Tag: "not_found" }) return NodeOutcome.Go("not_found");
        return result.Ok ? NodeOutcome.Go() : result.Failure;
    }
}
