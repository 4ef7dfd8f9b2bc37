using Workflows.Engine.Definitions;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Parks the task until it is modified (public API modify op, the node's callback URL or the
/// management API); the new data is merged in. No callback within the time limit: the timeout exit.
/// With <c>key</c> the wait carries a vendor's own id (a PBX call id, a payment id) and a callback is
/// delivered by that key (<see cref="Runtime.TaskWaker.CallbackByKeyAsync"/>).
/// </summary>
public sealed class WaitCallbackNode : NodeType<WaitCallbackNode.Prepared>
{
    public sealed record Prepared(double TimeoutSeconds, Templates.DataPath? TaskIdPath, Templates.DataPath? RefPath, Templates.Template? Key, Templates.DataPath? KeyPath, bool IsSync = true);

    public override NodeDescription Description { get; } = new(
        "wait_callback", "Waiting for callback", "wait", "inbox", NodeKind.Wait,
        [
            ParamSpec.Seconds("timeout_seconds", "Time limit (seconds)", 86400),
            new ParamSpec("task_id_path", ParamKind.String, "Task id in the callback body", Help: "Path of the obj_id in a body sent to this node's callback URL."),
            new ParamSpec("ref_path", ParamKind.String, "Or ref in the callback body"),
            new ParamSpec("is_sync", ParamKind.Boolean, "Continue on a modify", Default: true,
                Help: "Corezoid's is_sync. Off: a modify only merges its data into the waiting task, which stays here until a time limit moves it."),
            new ParamSpec("key", ParamKind.Template, "Wait key", Help: "A vendor's id this wait is for (e.g. {{call_id}}): callbacks carrying it find the task."),
            new ParamSpec("key_path", ParamKind.String, "Key in the callback body", Help: "Path of the wait key in a body sent to this node's callback URL."),
        ],
        [Exits.NextExit, new ExitSpec(Exits.Timeout, "Time limit")]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        // Left out, the declared default; 0 only when the value is bad, and then the node is refused.
        var timeout = context.Number("timeout_seconds") ?? 0;
        var keyPath = Path(context, "key_path");
        var key = context.Template("key");
        if (keyPath is not null && key is null) context.Error("params.key", "is required with key_path (the key the callback is matched by)");
        return new Prepared(timeout, Path(context, "task_id_path"), Path(context, "ref_path"), key, keyPath, context.Bool("is_sync", true));
    }

    static Templates.DataPath? Path(PrepareContext context, string name)
    {
        if (context.String(name) is not { Length: > 0 } text) return null;
        try { return Templates.DataPath.Parse(text); }
        catch (Templates.TemplateException e) { context.Error($"params.{name}", e.Message); return null; }
    }

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var key = node.Key?.RenderString(step.Scope);
        return ValueTask.FromResult(NodeOutcome.WaitFor(new WaitSpec(WaitSpec.Callback, Key: string.IsNullOrEmpty(key) ? null : key, TimeoutAt: step.Now.AddSeconds(node.TimeoutSeconds))));
    }
}
