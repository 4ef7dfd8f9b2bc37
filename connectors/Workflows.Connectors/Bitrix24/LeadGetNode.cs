using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Bitrix24;

/// <summary>crm.lead.get: puts the lead object in the task. A missing lead leaves by "not_found".</summary>
public sealed class LeadGetNode(ConnectorServices services) : ConnectorNode<LeadGetNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, Template LeadId) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("bitrix24.lead_get", "Bitrix24: get lead", "user", Bitrix24Api.Kind,
    [
        new ParamSpec("lead_id", ParamKind.Template, "Lead id", Required: true, Default: "{{lead_id}}"),
        ResultKeyParam("lead"),
    ],
    [new ExitSpec("not_found", "Lead not found", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "lead");
        var id = context.Template("lead_id", required: true);
        return id is null ? null : new Prepared(credential, key, id);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Bitrix24Api.Kind, step.Cancellation);
        if (credential is null) return failure;
        var result = await Bitrix24Api.CallAsync(Services, credential, "crm.lead.get", new JsonObject { ["id"] = Render(step, node.LeadId) }, step.Cancellation);
        if (result.Error is { Tag: "not_found" }) return NodeOutcome.Go("not_found");
        if (!result.Ok) return result.Failure;
        Put(step, node.ResultKey, result.Json!["result"]?.DeepClone());
        return NodeOutcome.Go();
    }
}
