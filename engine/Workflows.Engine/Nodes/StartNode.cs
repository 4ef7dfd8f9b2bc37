using Workflows.Engine.Definitions;

namespace Workflows.Engine.Nodes;

/// <summary>Where every task enters a process. Exactly one per process.</summary>
public sealed class StartNode : NodeType<object>
{
    public override NodeDescription Description { get; } = new(
        "start", "Start", "flow", "play", NodeKind.Instant, [], [Exits.NextExit],
        Help: "Tasks created through the API or by another process enter here.");

    protected override object? PrepareNode(NodeDefinition node, PrepareContext context) => null;

    protected override ValueTask<NodeOutcome> Execute(StepContext step, object node) => NodeOutcome.Next;
}
