using Workflows.Engine.Runtime;

namespace Workflows.Tests.Support;

/// <summary>A clock tests move by hand, so delays of hours take no time.</summary>
public sealed class ManualClock(DateTimeOffset start) : IClock
{
    long _ticks = start.UtcTicks;

    public ManualClock() : this(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero)) { }

    public DateTimeOffset UtcNow => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
