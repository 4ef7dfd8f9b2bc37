using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Sets task parameters from templates: <c>{"values": {"full_name": "{{first}} {{last}}", "at": "$.unixtime()"}}</c>.
/// Keys are paths (a.b, list[0]); a value that is exactly one {{insertion}} keeps its JSON type.
/// </summary>
public sealed class SetParamNode : NodeType<SetParamNode.Prepared>
{
    public sealed record Prepared((DataPath Path, ValueTemplate Value)[] Values);

    public override NodeDescription Description { get; } = new(
        "set_param", "Set parameters", "logic", "edit", NodeKind.Instant,
        [new ParamSpec("values", ParamKind.KeyValue, "Parameters", Required: true, Help: "Parameter path: value with {{templates}} and $.functions().")],
        [Exits.NextExit, new ExitSpec(Exits.Error, "Error", Required: false)],
        ErrorKind: "set_param");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var values = new List<(DataPath, ValueTemplate)>();
        foreach (var (key, value) in context.KeyValues("values", required: true))
        {
            try { values.Add((DataPath.Parse(key), value)); }
            catch (TemplateException e) { context.Error($"params.values.{key}", e.Message); }
        }
        return new Prepared([.. values]);
    }

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        // Evaluate all values first: every value sees the data as it was before this node.
        var rendered = new JsonNode?[node.Values.Length];
        var at = 0;
        try
        {
            for (; at < rendered.Length; at++) rendered[at] = node.Values[at].Value.Render(step.Scope);
        }
        catch (TemplateException e)
        {
            return ValueTask.FromResult(NodeOutcome.Software("bad_value", $"'{node.Values[at].Path}': {e.Message}"));
        }
        try
        {
            for (var i = 0; i < rendered.Length; i++) step.Set(node.Values[i].Path, rendered[i]);
        }
        catch (TemplateException e)
        {
            step.Undo();
            return ValueTask.FromResult(NodeOutcome.Software("bad_path", e.Message));
        }
        return NodeOutcome.Next;
    }
}
