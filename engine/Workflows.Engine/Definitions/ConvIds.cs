namespace Workflows.Engine.Definitions;

/// <summary>
/// The range a process's conv_id lives in, and how a new process gets one. The top is 2^53 − 1, the
/// largest integer JavaScript (the designer, most callers) reads exactly, so every client sees the
/// same id the store holds.
/// </summary>
public static class ConvIds
{
    public const long Min = 1;
    public const long Max = 9_007_199_254_740_991;
    /// <summary>Ids the engine hands out start above this, leaving the low ones for hand-picked ids.</summary>
    public const long FirstAssigned = 1001;

    public const string RangeText = "must be an integer from 1 to 9007199254740991 (2^53 - 1)";

    /// <summary>One above the highest id in use, or the lowest free id from <see cref="FirstAssigned"/> when the top is taken.</summary>
    public static long NextFree(IReadOnlyCollection<long> used)
    {
        var highest = used.Where(id => id <= Max).DefaultIfEmpty(FirstAssigned - 1).Max();
        if (highest < Max) return Math.Max(FirstAssigned, highest + 1);
        var taken = used.ToHashSet();
        for (var id = FirstAssigned; ; id++)
            if (!taken.Contains(id)) return id;
    }
}
