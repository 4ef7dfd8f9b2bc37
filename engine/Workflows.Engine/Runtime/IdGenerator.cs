namespace Workflows.Engine.Runtime;

/// <summary>
/// Time-ordered task ids (unix ms shifted left 12 bits, plus a counter): cheap to insert in a B-tree,
/// unique across restarts because the generator starts above the largest stored id.
/// </summary>
public sealed class IdGenerator(IClock clock)
{
    long _last;

    public void StartAbove(long id) => InterlockedMax(id);

    public long Next()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var candidate = Math.Max(last + 1, clock.UtcNow.ToUnixTimeMilliseconds() << 12);
            if (Interlocked.CompareExchange(ref _last, candidate, last) == last) return candidate;
        }
    }

    void InterlockedMax(long value)
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            if (value <= last || Interlocked.CompareExchange(ref _last, value, last) == last) return;
        }
    }
}
