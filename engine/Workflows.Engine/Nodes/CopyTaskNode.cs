using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Runtime;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Creates a task in another process (mode create) or sends data to a task waiting there by ref
/// (mode modify), and moves on without waiting.
/// </summary>
public sealed class CopyTaskNode : NodeType<CopyTaskNode.Prepared>
{
    public sealed record Prepared(string Mode, Template Process, Template? Ref, (DataPath Path, ValueTemplate Value)[] Data);

    /// <summary>Corezoid's error tags (spelled as Corezoid spells them).</summary>
    public const string NotUnicalRef = "not_unical_ref", NotFoundTask = "not_found_task";

    public override NodeDescription Description { get; } = new(
        "copy_task", "Copy task", "process", "copy", NodeKind.Effect,
        [
            new ParamSpec("mode", ParamKind.Select, "Mode", Default: "create", Options: ["create", "modify"]),
            new ParamSpec("conv_id", ParamKind.Template, "Process", Required: true, Help: "conv_id, @alias or {{param}}."),
            new ParamSpec("ref", ParamKind.Template, "Ref"),
            new ParamSpec("data", ParamKind.KeyValue, "Data", Help: "Left empty, the whole task data is copied."),
        ],
        [Exits.NextExit, Exits.ErrorExit],
        ErrorKind: "copy_task",
        ParamsRule: (JsonObject)JsonNode.Parse("""{"if": {"properties": {"mode": {"const": "modify"}}, "required": ["mode"]}, "then": {"required": ["ref"]}}""")!);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var mode = context.String("mode")!;
        var process = context.Template("conv_id", required: true);
        var reference = context.Template("ref");
        if (mode == "modify" && reference is null) context.Error("params.ref", "is required to modify a task");
        var data = ProcessCallParams.Data(context);
        return process is null ? null : new Prepared(mode, process, reference, data);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        if (ProcessCallParams.Target(step, node.Process) is not { } convId)
            return NodeOutcome.Software("process_not_found", $"no process is named '{node.Process.Text}'");
        JsonObject data;
        string? reference;
        try
        {
            data = ProcessCallParams.Build(step, node.Data);
            reference = node.Ref?.RenderString(step.Scope) is { Length: > 0 } r ? r : null;
        }
        catch (TemplateException e) { return NodeOutcome.Software("bad_value", e.Message); }

        if (node.Mode == "modify")
        {
            if (await step.ActiveTaskByRefAsync(convId, reference!) is not { } target)
                return NodeOutcome.Software(NotFoundTask, $"process {convId} has no active task with ref '{reference}'");
            var woken = await step.SendToWaitingTaskAsync(target, data);
            return woken.Ok ? NodeOutcome.Go() : NodeOutcome.Software(woken.Proc == TestRuns.TestRun.Apart ? woken.Proc : "task_not_waiting", woken.Description!);
        }
        var created = await step.CreateTaskAsync(convId, reference, data);
        // Corezoid's tag for a ref an active task already holds.
        if (!created.Ok) return NodeOutcome.Software(created.Proc == "ref_exists" ? NotUnicalRef : created.Proc, created.Description!);
        step.Set(ConveyorFields.CopyTaskResult, JsonValue.Create(created.Task!.ObjId));
        return NodeOutcome.Go();
    }
}

static class ProcessCallParams
{
    /// <summary>A process named by conv_id, @alias or a template giving either.</summary>
    public static long? Target(StepContext step, Template process)
    {
        try { return step.FindProcess(process.RenderString(step.Scope)); }
        catch (TemplateException) { return null; }
    }

    /// <summary>The data sent to another process: the listed parameters, or a copy of the whole task data.</summary>
    public static JsonObject Build(StepContext step, (DataPath Path, ValueTemplate Value)[] values)
    {
        if (values.Length == 0) return (JsonObject)step.Data.DeepClone();
        var data = new JsonObject();
        foreach (var (path, value) in values) path.Set(data, value.Render(step.Scope));
        return data;
    }

    public static (DataPath, ValueTemplate)[] Data(PrepareContext context)
    {
        var list = new List<(DataPath, ValueTemplate)>();
        foreach (var (key, value) in context.KeyValues("data"))
        {
            try { list.Add((DataPath.Parse(key), value)); }
            catch (TemplateException e) { context.Error($"params.data.{key}", e.Message); }
        }
        return [.. list];
    }
}
