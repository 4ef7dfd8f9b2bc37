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
            new ParamSpec("data", "key_value", "Reply data", Help: "Left empty, the whole task data is sent back."),
            new ParamSpec("exception", "boolean", "Reply as an exception", Default: false),
            new ParamSpec("exception_reason", "template", "Exception reason"),
        ],
        [Exits.NextExit, new ExitSpec(Exits.Error, "Error", Required: false)],
        ErrorKind: "rpc_reply");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context) =>
        new(ProcessCallParams.Data(context), context.Bool("exception"), context.Template("exception_reason"));

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node) =>
        ValueTask.FromResult(NodeOutcome.Software("not_available", "reply to process runs from the next release of the engine"));
}
