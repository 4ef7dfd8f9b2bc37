using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Corezoid's Get from queue (api_get_task): takes the oldest (ASC) or newest (DESC) task waiting in a
/// queue node of a process and puts its obj_id and data into this task as <c>__queue_task_id__</c> and
/// <c>__queue_task_data__</c>; the taken task leaves its queue by <c>next</c>. Exactly once: the take is
/// committed in one transaction with this task's step, and two takers never get the same task. An
/// empty queue sends the task to <c>error</c> (tag <c>queue_is_empty</c>).
/// </summary>
public sealed class GetFromQueueNode : NodeType<GetFromQueueNode.Prepared>
{
    public const string TaskIdKey = "__queue_task_id__";
    public const string TaskDataKey = "__queue_task_data__";

    public sealed record Prepared(Template Process, string QueueNode, bool Newest);

    public override NodeDescription Description { get; } = new(
        "get_from_queue", "Get from queue", "process", "queue-get", NodeKind.Instant,
        [
            new ParamSpec("conv_id", ParamKind.Template, "Process with the queue", Required: true, Help: "conv_id, @alias or {{param}}."),
            new ParamSpec("node_id", ParamKind.String, "Queue node", Required: true, Help: "The id of a queue node of that process."),
            new ParamSpec("order_by", ParamKind.Select, "Take from", Default: "ASC", Options: ["ASC", "DESC"],
                Help: "ASC: the oldest task in the queue; DESC: the newest."),
        ],
        [Exits.NextExit, Exits.ErrorExit],
        ErrorKind: "get_task");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var process = context.Template("conv_id", required: true);
        var queue = context.String("node_id");
        if (string.IsNullOrWhiteSpace(queue)) context.Error("params.node_id", "is required: the queue node to take tasks from");
        return process is null || string.IsNullOrWhiteSpace(queue) ? null : new Prepared(process, queue.Trim(), context.String("order_by") == "DESC");
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        if (ProcessCallParams.Target(step, node.Process) is not { } convId)
            return NodeOutcome.Software("process_not_found", $"no process is named '{node.Process.Text}'");
        var taken = await step.TakeFromQueueAsync(convId, node.QueueNode, node.Newest);
        if (!taken.Ok) return NodeOutcome.Software(taken.Tag!, taken.Description!);
        step.Set(TaskIdKey, JsonValue.Create(taken.ObjId));
        step.Set(TaskDataKey, taken.Data);
        return NodeOutcome.Go();
    }
}
