using Workflows.Engine.Definitions;
using Workflows.Engine.Runtime;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Calls another process (RPC): creates a task there and waits for its reply node; the reply's data
/// is merged into this task. An exception reply goes to the error exit, no reply to the timeout exit.
/// </summary>
public sealed class CallProcessNode : NodeType<CallProcessNode.Prepared>
{
    public sealed record Prepared(Template Process, (DataPath Path, ValueTemplate Value)[] Data, double TimeoutSeconds);

    public override NodeDescription Description { get; } = new(
        "call_process", "Call process", "process", "phone-forwarded", NodeKind.Effect,
        [
            new ParamSpec("conv_id", ParamKind.Template, "Process", Required: true, Help: "conv_id, @alias or {{param}}."),
            new ParamSpec("data", ParamKind.KeyValue, "Data", Help: "Left empty, the whole task data is sent."),
            ParamSpec.Seconds("timeout_seconds", "Time limit (seconds)", 60),
        ],
        [Exits.NextExit, Exits.ErrorExit, new ExitSpec(Exits.Timeout, "Time limit")],
        ErrorKind: "rpc");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var process = context.Template("conv_id", required: true);
        // Left out, the declared default; 0 only when the value is bad, and then the node is refused.
        var timeout = context.Number("timeout_seconds") ?? 0;
        var data = ProcessCallParams.Data(context);
        return process is null ? null : new Prepared(process, data, timeout);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        if (ProcessCallParams.Target(step, node.Process) is not { } convId)
            return NodeOutcome.Software("process_not_found", $"no process is named '{node.Process.Text}'");
        System.Text.Json.Nodes.JsonObject data;
        try { data = ProcessCallParams.Build(step, node.Data); }
        catch (TemplateException e) { return NodeOutcome.Software("bad_value", e.Message); }
        var created = await step.CreateTaskAsync(convId, reference: null, data, replyToMe: true);
        if (!created.Ok) return NodeOutcome.Software(created.Proc, created.Description!);
        return NodeOutcome.WaitFor(new WaitSpec(WaitSpec.Reply, Key: created.Task!.ObjId, TimeoutAt: step.Now.AddSeconds(node.TimeoutSeconds)));
    }
}
