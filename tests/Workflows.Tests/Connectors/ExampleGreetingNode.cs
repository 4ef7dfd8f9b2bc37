using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Tests.Connectors;

/// <summary>The smallest connector (the docs' starting point): a template rendered into the task data.</summary>
public sealed class ExampleGreetingNode : NodeType<ExampleGreetingNode.Prepared>
{
    public sealed record Prepared(Template Text);

    public override NodeDescription Description { get; } = new(
        "example.greeting", "Example: greeting", "connectors", "smile", NodeKind.Instant,
        [new ParamSpec("text", ParamKind.Template, "Text", Required: true)],
        [Exits.NextExit]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context) =>
        context.Template("text", required: true) is { } text ? new Prepared(text) : null;

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        step.Set("greeting", node.Text.RenderString(step.Scope));
        return NodeOutcome.Next;
    }
}
