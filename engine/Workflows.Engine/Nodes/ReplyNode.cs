using Workflows.Engine.Definitions;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>Answers the process that called this task (call process): chosen data, or an exception.</summary>
public sealed class ReplyNode : NodeType<ReplyNode.Prepared>
{
    public sealed record Prepared((DataPath Path, ValueTemplate Value)[] Data, bool Exception, Template? Reason);

    public override NodeDescription Description { get; } = new(
        "reply", "Reply to process", "process", "reply", NodeKind.Effect,
        [
            new ParamSpec("data", ParamKind.KeyValue, "Reply data", Help: "Left empty, the whole task data is sent back."),
            new ParamSpec("exception", ParamKind.Boolean, "Reply as an exception", Default: false),
            new ParamSpec("exception_reason", ParamKind.Template, "Exception reason"),
        ],
        [Exits.NextExit, new ExitSpec(Exits.Error, "Error", Required: false)],
        ErrorKind: "rpc_reply");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context) =>
        new(ProcessCallParams.Data(context), context.Bool("exception"), context.Template("exception_reason"));

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        // A task that nobody called (created through the API, say) passes the reply by.
        if (step.Task.ReplyTo is null) return NodeOutcome.Go();
        System.Text.Json.Nodes.JsonObject data;
        NodeError? exception = null;
        try
        {
            data = ProcessCallParams.Build(step, node.Data);
            if (node.Exception)
                exception = new NodeError(false, "exception", node.Reason?.RenderString(step.Scope) is { Length: > 0 } reason ? reason : "the called process replied with an exception");
        }
        catch (TemplateException e) { return NodeOutcome.Software("bad_value", e.Message); }
        var delivered = await step.ReplyToCallerAsync(data, exception);
        return delivered.Ok ? NodeOutcome.Go() : NodeOutcome.Software("caller_not_waiting", delivered.Description!);
    }
}
