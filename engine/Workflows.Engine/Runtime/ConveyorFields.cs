using System.Text.Json.Nodes;
using Workflows.Engine.Nodes;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Corezoid's error fields in the task data, written here only: <c>__conveyor_{kind}_return_type_error__</c>
/// (hardware or software), <c>_return_type_tag__</c> and <c>_return_description__</c>, where kind is
/// the node type's error kind (api, code, a connector's vendor) or "task" for a stop the runner made.
/// </summary>
public static class ConveyorFields
{
    const string Prefix = "__conveyor_";

    /// <summary>The copy task node's answer: the obj_id of the task it created.</summary>
    public const string CopyTaskResult = "__conveyor_copy_task_result__";

    /// <summary>Through the step, so the fields are part of the step's recorded changes.</summary>
    internal static void WriteError(StepContext step, string kind, NodeError error)
    {
        step.Set(Name(kind, "type_error"), error.Type);
        step.Set(Name(kind, "type_tag"), error.Tag);
        step.Set(Name(kind, "description"), error.Description);
    }

    /// <summary>A stop the runner made (loop guard, a missing node): always a software error of kind "task".</summary>
    internal static void WriteStop(JsonObject data, string tag, string description)
    {
        data[Name("task", "type_error")] = "software";
        data[Name("task", "type_tag")] = tag;
        data[Name("task", "description")] = description;
    }

    /// <summary>Removes every error field (a retry starts clean).</summary>
    internal static void Clear(JsonObject data)
    {
        foreach (var key in data.Select(kv => kv.Key).Where(k => k.StartsWith(Prefix, StringComparison.Ordinal)).ToList())
            data.Remove(key);
    }

    static string Name(string kind, string field) => $"{Prefix}{kind}_return_{field}__";
}
