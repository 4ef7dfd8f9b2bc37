using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Definitions;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Corezoid's count semaphor: when a node holds more tasks than its limit, a task goes to the chosen
/// process, and another when the count drops back. Sent without waiting; a failure is logged, it is
/// not the moving task's.
/// </summary>
public sealed class CountLimits(ProcessRegistry processes, NodeCounters counters, TaskIntake intake, ILogger<CountLimits> log)
{
    /// <summary>Counts a task leaving one node for the next, escalating where a limit is crossed.</summary>
    internal void Move(CompiledProcess process, string from, string to)
    {
        var left = counters.Leave(process.ConvId, from);
        var entered = counters.Enter(process.ConvId, to);
        if (process.Node(from)?.Definition.CountLimit is { } fromLimit && left == fromLimit.Max)
            Escalate(process, from, fromLimit, left, "back");
        if (process.Node(to)?.Definition.CountLimit is { } toLimit && entered == toLimit.Max + 1)
            Escalate(process, to, toLimit, entered, "over");
    }

    void Escalate(CompiledProcess process, string nodeId, CountLimitDefinition limit, long count, string state)
    {
        var convId = processes.Resolve(limit.ConvId);
        var data = new JsonObject
        {
            ["conv_id"] = process.ConvId,
            ["node_id"] = nodeId,
            ["node_title"] = process.Node(nodeId)?.Definition.Title,
            ["count"] = count,
            ["max"] = limit.Max,
            ["state"] = state,
        };
        _ = Task.Run(async () =>
        {
            var created = convId is null
                ? CreateOutcome.Refused($"no process is named '{limit.ConvId.Trim()}'")
                : await intake.CreateFromTaskAsync(convId.Value, null, data, replyTo: null, depth: 1);
            if (!created.Ok) log.LogWarning("Count limit of node {Node} in process {ConvId}: escalation not sent: {Reason}", nodeId, process.ConvId, created.Description);
        });
    }
}
