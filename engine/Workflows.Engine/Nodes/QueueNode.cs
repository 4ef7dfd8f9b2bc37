using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Corezoid's Queue (api_queue): tasks wait here until a get-from-queue node (of any process) takes
/// them; a taken task leaves by <c>next</c>, and the taker receives its data. A time limit on the node
/// moves a task nobody took. <c>data</c> adds key-values to what the taker receives, rendered on the
/// queued task's data when it is taken.
/// </summary>
public sealed class QueueNode : NodeType<QueueNode.Prepared>
{
    public sealed record Prepared((DataPath Path, ValueTemplate Value)[] Data);

    public override NodeDescription Description { get; } = new(
        "queue", "Queue", "wait", "queue", NodeKind.Wait,
        [new ParamSpec("data", ParamKind.KeyValue, "Add to the taken data",
            Help: "Key-values added to __queue_task_data__ when a task is taken ({{templates}} read the queued task).")],
        [Exits.NextExit],
        Help: "Tasks wait here until a Get from queue node takes them; a time limit moves the ones nobody takes.");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context) => new(ProcessCallParams.Data(context));

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node) =>
        ValueTask.FromResult(NodeOutcome.WaitFor(new WaitSpec(WaitSpec.Queue)));

    /// <summary>What the taker receives: the queued task's data with the node's key-values added.</summary>
    public static JsonObject Handed(Prepared? node, JsonObject data, TemplateScope scope)
    {
        var handed = (JsonObject)data.DeepClone();
        foreach (var (path, value) in node?.Data ?? []) path.Set(handed, value.Render(scope));
        return handed;
    }
}
