using Quartz.Extensibility;

namespace Workflows.Engine.Scheduling;

/// <summary>Quartz's instance id of this node: host, process and a random part, so that nodes on one machine differ.</summary>
sealed class InstanceIds : IInstanceIdGenerator
{
    public ValueTask<string> GenerateInstanceId(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult($"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():n}");
}
