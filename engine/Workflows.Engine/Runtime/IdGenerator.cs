using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// Time-ordered task ids: unix ms shifted left 18 bits, then the node's slot (6 bits), then a counter
/// (12 bits, 4096 ids per ms and node). Cheap to insert in a B-tree; unique across nodes because each
/// live node has its own slot, and across restarts because the generator starts above the largest
/// stored id. Good until the year 3000 or so (ms below 2^45).
/// </summary>
public sealed class IdGenerator(IClock clock, NodeMembership node)
{
    const int CounterBits = 12, SlotBits = 6;
    const long CounterMask = (1L << CounterBits) - 1;
    long _last;

    public void StartAbove(long id) => InterlockedMax(id);

    public long Next()
    {
        var slot = (long)node.Slot << CounterBits;
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var lastMs = last >> (CounterBits + SlotBits);
            var ms = Math.Max(lastMs, clock.UtcNow.ToUnixTimeMilliseconds());
            var counter = ms == lastMs ? (last & CounterMask) + 1 : 0;
            // 4096 ids in one millisecond: borrow the next millisecond.
            if (counter > CounterMask) (ms, counter) = (ms + 1, 0);
            var candidate = (ms << (CounterBits + SlotBits)) | slot | counter;
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
