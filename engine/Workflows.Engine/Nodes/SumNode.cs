using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Corezoid's Sum (api_sum): adds a value to each of the node's named running sums as a task passes,
/// e.g. <c>{"sums": {"orders": "1", "revenue": "{{amount}}"}}</c>. Sums are decimal (no float drift on
/// money), kept in the store with the task's own commit, and read anywhere as <c>{{node[ID].revenue}}</c>.
/// </summary>
public sealed class SumNode : NodeType<SumNode.Prepared>
{
    public sealed record Prepared((string Name, ValueTemplate Value)[] Sums);

    public override NodeDescription Description { get; } = new(
        "sum", "Sum", "logic", "sigma", NodeKind.Instant,
        [new ParamSpec("sums", ParamKind.KeyValue, "Sums", Required: true,
            Help: "Sum name: the number to add, a constant or a {{param}}. Read a sum as {{node[ID].name}}.")],
        [Exits.NextExit, new ExitSpec(Exits.Error, "Error", Required: false)],
        ErrorKind: "sum");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var sums = new List<(string, ValueTemplate)>();
        foreach (var (name, value) in context.KeyValues("sums", required: true))
        {
            if (!IsName(name)) context.Error($"params.sums.{name}", "a sum's name is letters, digits, '_' or '-' (it is read as {{node[ID].name}})");
            else sums.Add((name, value));
        }
        return new Prepared([.. sums]);
    }

    public static bool IsName(string name) => name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        // Every value is checked before any sum moves: a task adds to all of the node's sums or to none.
        var deltas = new decimal[node.Sums.Length];
        for (var i = 0; i < deltas.Length; i++)
        {
            JsonNode? value;
            try { value = node.Sums[i].Value.Render(step.Scope); }
            catch (TemplateException e) { return ValueTask.FromResult(NodeOutcome.Software("bad_value", $"sum '{node.Sums[i].Name}': {e.Message}")); }
            if (Decimal(value) is not { } delta)
                return ValueTask.FromResult(NodeOutcome.Software("not_a_number", $"sum '{node.Sums[i].Name}': {Template.AsText(value)} is not a number"));
            deltas[i] = delta;
        }
        for (var i = 0; i < deltas.Length; i++) step.AddToSum(node.Sums[i].Name, deltas[i]);
        return NodeOutcome.Next;
    }

    /// <summary>A number read from its JSON text (never through a double), or from a string of digits.</summary>
    static decimal? Decimal(JsonNode? value)
    {
        string? text = value switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Trim(),
            _ => null,
        };
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }
}
