using Workflows.Engine.Runtime;

namespace Workflows.Tests.Engine.Runtime;

/// <summary>Statuses are enums inside the engine and keep their lower-case names on the wire and in the store.</summary>
public sealed class StatusTests
{
    [Test]
    public void Task_statuses_keep_their_wire_names_both_ways()
    {
        Assert.That(Enum.GetValues<TaskPhase>().Select(p => p.Wire()), Is.EqualTo(new[] { "processing", "waiting", "finished" }));
        Assert.That(Enum.GetValues<TaskPhase>().Select(p => TaskPhases.Parse(p.Wire())), Is.EqualTo(Enum.GetValues<TaskPhase>()));
        Assert.That(() => TaskPhases.Parse("Finished"), Throws.InstanceOf<FormatException>());
    }

    [Test]
    public void Process_statuses_keep_their_wire_names_and_only_the_stored_ones_are_read_back()
    {
        Assert.That(Enum.GetValues<ProcessStatus>().Select(s => s.Wire()), Is.EqualTo(new[] { "active", "paused", "broken" }));
        Assert.That(ProcessStatuses.TryParse("paused", out var paused) && paused == ProcessStatus.Paused, Is.True);
        // Broken is found at load (a version that no longer compiles), never stored, so it is never read back.
        Assert.That(ProcessStatuses.TryParse("broken", out _), Is.False);
        Assert.That(ProcessStatuses.TryParse("stopped", out _), Is.False);
    }
}
