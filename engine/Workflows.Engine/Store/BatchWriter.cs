using System.Data;
using System.Data.Common;

namespace Workflows.Engine.Store;

/// <summary>One task write of a group commit: the row, whether it is new, and the steps to append to its history.</summary>
internal sealed record TaskWrite(TaskRow Row, bool IsNew, string? Steps, long HistoryAt, long HistoryId, Runtime.SumDelta[]? Sums = null);

/// <summary>
/// The database refused a task because another active task of the process has its ref: the unique
/// index decides, which matters when several nodes accept creates with the same ref at once.
/// </summary>
public sealed class RefTakenException(string? reference, Exception inner)
    : Exception($"ref '{reference}' is already used by an active task of the process; the task was not added", inner)
{
}

/// <summary>A change of a node's totals (entered, left) since the last commit.</summary>
internal readonly record struct StatDelta(long ConvId, string NodeId, long Entered, long Left);

/// <summary>
/// Writes one group commit in one transaction. Each provider sends the statements its own best way
/// (SQLite: prepared statements in process; PostgreSQL: one batch, one round trip).
/// </summary>
internal abstract class BatchWriter : IDisposable
{
    internal const string InsertTask = """
        INSERT INTO tasks (id, conv_id, version, ref, node_id, status, result, data, wait_kind, wait_key, wake_at, timeout_at, visits, reply_to, depth, created_at, changed_at, owner, test)
        VALUES (@id, @conv_id, @version, @ref, @node_id, @status, @result, @data, @wait_kind, @wait_key, @wake_at, @timeout_at, @visits, @reply_to, @depth, @created_at, @changed_at, @owner, @test)
        """;
    internal const string UpdateTask = """
        UPDATE tasks SET version = @version, node_id = @node_id, status = @status, result = @result, data = @data,
          wait_kind = @wait_kind, wait_key = @wait_key, wake_at = @wake_at, timeout_at = @timeout_at, visits = @visits, changed_at = @changed_at, test = @test
        WHERE id = @id AND owner = @owner
        """;
    internal const string InsertHistory = "INSERT INTO task_history (task_id, id, at, steps) VALUES (@task_id, @id, @at, @steps)";
    /// <summary>Adds to this engine node's own counter row (<c>@owner</c>): rows are never shared by two nodes' commits.</summary>
    internal const string AddStats = """
        INSERT INTO node_stats (conv_id, node_id, owner, entered, left_count) VALUES (@conv_id, @node_id, @owner, @entered, @left_count)
        ON CONFLICT (conv_id, node_id, owner) DO UPDATE SET entered = node_stats.entered + excluded.entered, left_count = node_stats.left_count + excluded.left_count
        """;

    /// <summary>Adds to this engine node's own row of a sum (<c>@add</c> is the provider's exact decimal addition of the stored value and the delta).</summary>
    internal const string AddSum = """
        INSERT INTO node_sums (conv_id, node_id, name, owner, value) VALUES (@conv_id, @node_id, @name, @owner, @value)
        ON CONFLICT (conv_id, node_id, name, owner) DO UPDATE SET value = @add
        """;

    internal static readonly (string Name, DbType Type)[] SumParameters =
        [("conv_id", DbType.Int64), ("node_id", DbType.String), ("name", DbType.String), ("owner", DbType.Int64), ("value", DbType.Decimal)];

    internal static object?[] SumValues(Runtime.SumDelta s, long owner) => [s.ConvId, s.NodeId, s.Name, owner, s.Delta];

    internal static object?[] StatsValues(StatDelta s, long owner) => [s.ConvId, s.NodeId, owner, s.Entered, s.Left];

    /// <summary>
    /// Commits the writes and the counter changes together; throws if any of them fails (nothing is then
    /// committed), <see cref="NodeFencedException"/> if this node may commit nothing any more. A write
    /// whose task another node owns now is left out (its update finds no row of this node's) and added to
    /// <paramref name="lost"/>; the rest are committed.
    /// </summary>
    public abstract void Commit(IReadOnlyList<TaskWrite> writes, IReadOnlyList<StatDelta> stats, List<TaskWrite> lost);

    public abstract void Dispose();

    /// <summary>The values of each statement's parameters, in the order the statements name them.</summary>
    internal static object?[] InsertValues(TaskRow r) =>
        [r.Id, r.ConvId, r.Version, r.Ref, r.NodeId, r.Status, r.Result, r.Data, r.WaitKind, r.WaitKey, r.WakeAt, r.TimeoutAt, r.Visits, r.ReplyTo, r.Depth, r.CreatedAt, r.ChangedAt, r.Owner, r.Test];

    internal static object?[] UpdateValues(TaskRow r) =>
        [r.Version, r.NodeId, r.Status, r.Result, r.Data, r.WaitKind, r.WaitKey, r.WakeAt, r.TimeoutAt, r.Visits, r.ChangedAt, r.Test, r.Id, r.Owner];

    internal static readonly (string Name, DbType Type)[] InsertParameters =
    [
        ("id", DbType.Int64), ("conv_id", DbType.Int64), ("version", DbType.Int32), ("ref", DbType.String), ("node_id", DbType.String),
        ("status", DbType.String), ("result", DbType.String), ("data", DbType.String), ("wait_kind", DbType.String), ("wait_key", DbType.String),
        ("wake_at", DbType.Int64), ("timeout_at", DbType.Int64), ("visits", DbType.String), ("reply_to", DbType.Int64), ("depth", DbType.Int32),
        ("created_at", DbType.Int64), ("changed_at", DbType.Int64), ("owner", DbType.Int64), ("test", DbType.String),
    ];

    internal static readonly (string Name, DbType Type)[] UpdateParameters =
    [
        ("version", DbType.Int32), ("node_id", DbType.String), ("status", DbType.String), ("result", DbType.String), ("data", DbType.String),
        ("wait_kind", DbType.String), ("wait_key", DbType.String), ("wake_at", DbType.Int64), ("timeout_at", DbType.Int64), ("visits", DbType.String),
        ("changed_at", DbType.Int64), ("test", DbType.String), ("id", DbType.Int64), ("owner", DbType.Int64),
    ];

    internal static readonly (string Name, DbType Type)[] HistoryParameters =
        [("task_id", DbType.Int64), ("id", DbType.Int64), ("at", DbType.Int64), ("steps", DbType.String)];

    internal static readonly (string Name, DbType Type)[] StatsParameters =
        [("conv_id", DbType.Int64), ("node_id", DbType.String), ("owner", DbType.Int64), ("entered", DbType.Int64), ("left_count", DbType.Int64)];

    internal static void AddParameters(DbCommand command, (string Name, DbType Type)[] parameters)
    {
        foreach (var (name, type) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = "@" + name;
            p.DbType = type;
            p.Value = DBNull.Value;
            command.Parameters.Add(p);
        }
    }

    internal static void Set(DbCommand command, object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
    }
}
