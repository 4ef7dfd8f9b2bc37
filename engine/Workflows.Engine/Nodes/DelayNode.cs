using Workflows.Engine.Definitions;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>Parks the task for a fixed time, or until a unix or ISO time taken from its data.</summary>
public sealed class DelayNode : NodeType<DelayNode.Prepared>
{
    public sealed record Prepared(double? Seconds, Template? Until);

    public override NodeDescription Description { get; } = new(
        "delay", "Delay", "wait", "clock", NodeKind.Wait,
        [
            ParamSpec.Seconds("seconds", "Wait (seconds)", help: "A fixed time, from 1 second to 365 days."),
            new ParamSpec("until", ParamKind.Template, "Or until", Help: "A unix time or ISO date from the data, e.g. {{next_call_at}}."),
        ],
        [Exits.NextExit, new ExitSpec(Exits.Error, "Error", Required: false)],
        ErrorKind: "delay",
        ParamsRule: (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""
            {"description": "Exactly one of seconds and until.",
             "oneOf": [{"required": ["seconds"], "not": {"required": ["until"]}}, {"required": ["until"], "not": {"required": ["seconds"]}}]}
            """)!);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var seconds = context.Number("seconds");
        var until = context.Template("until");
        if (seconds is null && until is null) context.Error("params", "needs seconds or until");
        if (seconds is not null && until is not null) context.Error("params", "takes seconds or until, not both");
        return new Prepared(seconds, until);
    }

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        DateTimeOffset due;
        if (node.Seconds is { } seconds) due = step.Now.AddSeconds(seconds);
        else
        {
            try { due = TemplateFunctions.ParseTime(node.Until!.RenderString(step.Scope)); }
            catch (TemplateException e) { return ValueTask.FromResult(NodeOutcome.Software("bad_time", $"until: {e.Message}")); }
        }
        // A time already past (a call scheduled while the task was elsewhere) does not wait at all.
        return ValueTask.FromResult(due <= step.Now ? NodeOutcome.Go() : NodeOutcome.WaitFor(new WaitSpec(WaitSpec.Time, WakeAt: due)));
    }
}
