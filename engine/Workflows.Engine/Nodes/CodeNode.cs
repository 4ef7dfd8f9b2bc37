using Workflows.Engine.Definitions;
using Workflows.Engine.Scripting;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Runs JavaScript (modern syntax, sloppy mode) that reads and changes <c>data</c>, e.g.
/// <c>data.phone = data.phone.replace(/^8/, '7');</c>. Errors and limits go to the error exit.
/// </summary>
public sealed class CodeNode : NodeType<CompiledScript>
{
    public override NodeDescription Description { get; } = new(
        "code", "Code", "logic", "code", NodeKind.Instant,
        [new ParamSpec("src", ParamKind.Code, "JavaScript", Required: true, Help: "Modern JavaScript (let/const, arrow functions, template literals, classes, ?., ??). Read and change `data`; declarations stay local to one run.")],
        [Exits.NextExit, Exits.ErrorExit],
        ErrorKind: "code");

    protected override CompiledScript? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var src = context.String("src", required: true);
        if (src is null) return null;
        try { return context.Scripts.Compile(src); }
        catch (ScriptSyntaxException e) { context.Error("params.src", e.Message); return null; }
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, CompiledScript script)
    {
        try
        {
            step.ReplaceData(await step.Scripts.RunAsync(script, step.Data, step.Task.ConvId, step.Cancellation));
            return NodeOutcome.Go();
        }
        catch (ScriptFailureException e)
        {
            return NodeOutcome.Software(e.Tag, e.Message);
        }
    }
}
