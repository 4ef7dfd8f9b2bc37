using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Corezoid's Set State (state diagrams): a task stays here, keyed by its ref, until its data meets a
/// rule; then it leaves by that rule's exit. The rules are checked when the task enters and again
/// each time the task is modified (copy task in modify mode, the API's modify, a callback), which
/// merges the new data first; no rule holds, the task stays. Rules as in the condition node; none at
/// all: a plain state that only keeps the task and its data.
/// </summary>
public sealed class SetStateNode : NodeType<SetStateNode.Prepared>
{
    public sealed record Prepared(ConditionNode.Rule[] Rules);

    public override NodeDescription Description { get; } = new(
        "set_state", "Set state", "wait", "state", NodeKind.Wait,
        [new ParamSpec("rules", ParamKind.Rules, "Leave when",
            Help: "First match wins: the task leaves by that rule's exit. None holds: the task stays until it is modified again.")],
        [new ExitSpec(Exits.Error, "Error", Required: false)],
        ErrorKind: "set_state",
        ExitsFromParams: true);

    public override IEnumerable<ExitSpec> ExitsOf(NodeDefinition node) => ConditionNode.RuleExits(node).Concat(Description.Exits);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        if (node.Params["rules"] is null) return new Prepared([]);
        if (node.Params["rules"] is not JsonArray rules)
        {
            context.Error("params.rules", "must be a list of rules");
            return null;
        }
        return new Prepared(ConditionNode.PrepareRules(rules, context));
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (exit, failure) = await ConditionNode.FirstMatch(step, node.Rules);
        if (failure is not null) return failure.Value;
        // A state keeps its task as long as no rule says otherwise: no time limit of its own.
        return exit is not null ? NodeOutcome.Go(exit) : NodeOutcome.WaitFor(new WaitSpec(WaitSpec.Callback));
    }
}
