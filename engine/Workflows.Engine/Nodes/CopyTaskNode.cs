using Workflows.Engine.Definitions;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Creates a task in another process (mode create) or sends data to a task waiting there by ref
/// (mode modify), and moves on without waiting.
/// </summary>
public sealed class CopyTaskNode : NodeType<CopyTaskNode.Prepared>
{
    public sealed record Prepared(string Mode, Template Process, Template? Ref, (DataPath Path, ValueTemplate Value)[] Data);

    public override NodeDescription Description { get; } = new(
        "copy_task", "Copy task", "process", "copy", NodeKind.Effect,
        [
            new ParamSpec("mode", "select", "Mode", Default: "create", Options: ["create", "modify"]),
            new ParamSpec("conv_id", "template", "Process", Required: true, Help: "conv_id, @alias or {{param}}."),
            new ParamSpec("ref", "template", "Ref"),
            new ParamSpec("data", "key_value", "Data", Help: "Left empty, the whole task data is copied."),
        ],
        [Exits.NextExit, Exits.ErrorExit],
        ErrorKind: "copy_task");

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var mode = context.String("mode") ?? "create";
        if (mode is not ("create" or "modify")) context.Error("params.mode", "must be create or modify");
        var process = context.Template("conv_id", required: true);
        var reference = context.Template("ref");
        if (mode == "modify" && reference is null) context.Error("params.ref", "is required to modify a task");
        var data = ProcessCallParams.Data(context);
        return process is null ? null : new Prepared(mode, process, reference, data);
    }

    protected override ValueTask<NodeOutcome> Execute(StepContext step, Prepared node) =>
        ValueTask.FromResult(NodeOutcome.Software("not_available", "copy task runs from the next release of the engine"));
}

static class ProcessCallParams
{
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
