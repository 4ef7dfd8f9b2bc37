using Workflows.Engine.Definitions;

namespace Workflows.Engine.Nodes;

/// <summary>Ends the task, as a success or as an error. The task stays readable until retention removes it.</summary>
public sealed class FinalNode : NodeType<FinalNode.Prepared>
{
    public sealed record Prepared(string Result);

    public override NodeDescription Description { get; } = new(
        "final", "Final", "flow", "flag", NodeKind.Final,
        [new ParamSpec("result", ParamKind.Select, "Result", Default: "success", Options: ["success", "error"])],
        []);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        return new Prepared(context.String("result")!);
    }

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node) =>
        ValueTask.FromResult(NodeOutcome.Finish(node.Result));
}
