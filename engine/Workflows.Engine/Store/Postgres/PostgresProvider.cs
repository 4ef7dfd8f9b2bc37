using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;

namespace Workflows.Engine.Store.Postgres;

/// <summary>
/// PostgreSQL, the way to grow: acknowledged means committed (synchronous_commit on), a group commit
/// goes to the server as one batch (one round trip), task and history keys are time-ordered so inserts
/// land at the right end of the B-trees. Autovacuum reclaims what pruning frees.
/// </summary>
public sealed partial class PostgresProvider : StoreProvider
{
    readonly NpgsqlDataSource _source;
    readonly DbContextOptions<PostgresDb> _db;

    public PostgresProvider(EngineOptions options) : base(options)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        // Statements used over and over (the writer's, the timers') are prepared on the server once per connection.
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 50;
        // A pooled connection is not reset when it goes back (Npgsql's reset is several statements, parsed
        // on the server at every reuse: a third of its CPU per task where each create asks the store for its
        // ref). The engine leaves no session state on them: no SET, temporary tables or advisory locks; the
        // one LISTEN connection, if it ever goes back, only receives notifications nobody reads.
        builder.NoResetOnClose = true;
        // Durability is the contract: a commit is on disk before the task is acknowledged, whatever the server's default.
        builder.Options = string.IsNullOrEmpty(builder.Options) ? "-c synchronous_commit=on" : builder.Options + " -c synchronous_commit=on";
        ConnectionString = builder.ConnectionString;
        _source = NpgsqlDataSource.Create(ConnectionString);
        var db = new DbContextOptionsBuilder<PostgresDb>().UseNpgsql(_source);
        // Migrations are hand-written (see Store/Postgres/Migrations), so there is no model snapshot to compare.
        db.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        _db = db.Options;
    }

    /// <summary>The configured connection string with the provider's settings added.</summary>
    public string ConnectionString { get; }

    public override string Name => "postgres";

    public override WorkflowsDb CreateDb() => new PostgresDb(_db);

    public override void UseFor(DbContextOptionsBuilder builder, string migrationsHistoryTable)
    {
        builder.UseNpgsql(_source, o => o.MigrationsHistoryTable(migrationsHistoryTable));
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    public override async Task MigrateAsync(CancellationToken cancel)
    {
        await using var db = CreateDb();
        await db.Database.MigrateAsync(cancel);
    }

    public override async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        await base.DisposeAsync();
    }

    public override DbConnection OpenConnection() => _source.OpenConnection();

    internal override BatchWriter OpenBatchWriter(NodeMembership node) => new PostgresBatchWriter(_source.OpenConnection(), node);

    public override NodeMembership CreateMembership(ILoggerFactory logs) => new PostgresMembership(_source, Options, logs.CreateLogger<PostgresMembership>());

    public override void ConfigureQuartz(IPersistentStoreBuilder store)
    {
        store.UsePostgres(NpgsqlFactory.Instance, ConnectionString);
        store.UseSystemTextJsonSerializer();
        store.ProvisionSchema();
        // Every node runs a scheduler on the same tables; row locks make each trigger fire on one of them.
        store.UseClustering(c =>
        {
            c.CheckinInterval = TimeSpan.FromSeconds(Math.Max(1, Options.NodeLeaseSeconds / 5));
            c.CheckinMisfireThreshold = TimeSpan.FromSeconds(Math.Max(2, Options.NodeLeaseSeconds));
        });
    }

    /// <summary>"@name" parameters as PostgreSQL's "$n", in the order given: Npgsql then sends the text as it is.</summary>
    internal static string Positional(string sql, (string Name, System.Data.DbType)[] parameters)
    {
        var index = parameters.Select((p, i) => (p.Name, i)).ToDictionary(p => p.Name, p => p.i + 1);
        return ParameterName().Replace(sql, m => "$" + index[m.Groups[1].Value]);
    }

    [GeneratedRegex("@([a-z_]+)")]
    private static partial Regex ParameterName();
}

/// <summary>The PostgreSQL model: its migrations (Store/Postgres/Migrations) name this type.</summary>
public sealed class PostgresDb(DbContextOptions<PostgresDb> options) : WorkflowsDb(options);

/// <summary>
/// A group commit as one NpgsqlBatch. The first statement is the fence: it refreshes this node's
/// heartbeat only while no other node has taken it over, and holds the node's row until the commit,
/// so a takeover waits for the commit or the commit fails. Usually the batch is its own (implicit)
/// transaction, one round trip in all: there the fence and the tasks' update raise an error when a row
/// is missing, which undoes the whole batch. Only then is it written again in an explicit transaction,
/// which learns what was missing (a takeover, or tasks another node moved) and commits the rest.
/// </summary>
sealed class PostgresBatchWriter(NpgsqlConnection connection, NodeMembership node) : BatchWriter
{
    /// <summary>Refreshes this node's heartbeat while no other node has taken it over; no row means fenced (also the idle beat's statement).</summary>
    internal const string Fence = "UPDATE nodes SET heartbeat_at = now() WHERE id = $1 AND taken_by IS NULL";

    // New tasks, history and counters: one statement each for the whole batch, each column's values one
    // array. A statement per row cost the server an executor start per row, a third of its CPU per task
    // (docs/performance.md, "Many rows, one statement"). Updates too, in the first try, which fails as a
    // whole when one finds no row; the second, which must learn which, sends one a row.
    static readonly string InsertTasks = Unnest("tasks", InsertParameters);
    static readonly string InsertHistories = Unnest("task_history", HistoryParameters);
    static readonly string AddAllStats = Unnest("node_stats", StatsParameters) + " " + AddStats[AddStats.IndexOf("ON CONFLICT", StringComparison.Ordinal)..];
    static readonly string Update = PostgresProvider.Positional(UpdateTask, UpdateParameters);
    static readonly string Sums = PostgresProvider.Positional(AddSum.Replace("@add", "node_sums.value + excluded.value", StringComparison.Ordinal), SumParameters);
    static readonly (string Name, System.Data.DbType Type)[] FenceParameters = [("id", System.Data.DbType.Int64)];
    static readonly string FenceOrFail = OrFail(Fence);
    static readonly string UpdateAllOrFail = UpdateMany();

    /// <summary>
    /// An update that divides by whether it found its rows (one, or <paramref name="expected"/>): a missing
    /// row is an error (22012), and the implicit transaction is undone.
    /// </summary>
    static string OrFail(string update, string? expected = null) =>
        $"WITH changed AS ({update} RETURNING 1) SELECT 1 / {(expected is null ? "count(*)" : $"(count(*) = {expected})::int")} FROM changed";

    public override void Commit(IReadOnlyList<TaskWrite> writes, IReadOnlyList<StatDelta> stats, List<TaskWrite> lost)
    {
        try
        {
            using var batch = Batch(writes, stats, null, out _, out _);
            Execute(batch, writes);
            return;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DivisionByZero)
        {
            // The fence or a task's update found no row: nothing was written; find out which below.
        }
        var pending = writes.ToList();
        while (true)
        {
            using var tx = connection.BeginTransaction();
            using var batch = Batch(pending, stats, tx, out var fence, out var updates);
            Execute(batch, pending);
            if (fence.RecordsAffected == 0)
            {
                tx.Rollback();
                throw new NodeFencedException(node.NodeId);
            }
            var gone = updates.Where(u => u.Command.RecordsAffected == 0).Select(u => u.Write).ToList();
            if (gone.Count == 0)
            {
                tx.Commit();
                return;
            }
            // Tasks another node took: leave them out and write the rest again (rare: a wake moved the task).
            tx.Rollback();
            lost.AddRange(gone);
            pending.RemoveAll(gone.Contains);
        }
    }

    /// <summary>The batch of a commit; without a transaction its fence and updates fail when they find no row.</summary>
    NpgsqlBatch Batch(IReadOnlyList<TaskWrite> writes, IReadOnlyList<StatDelta> stats, NpgsqlTransaction? tx,
        out NpgsqlBatchCommand fence, out List<(NpgsqlBatchCommand Command, TaskWrite Write)> updates)
    {
        var batch = new NpgsqlBatch(connection, tx);
        fence = Command(tx is null ? FenceOrFail : Fence, FenceParameters, [node.NodeId]);
        batch.BatchCommands.Add(fence);
        updates = [];
        var inserts = new List<object?[]>();
        var history = new List<object?[]>();
        foreach (var write in writes)
        {
            // A task is in a batch once, or saved and then changed: its insert comes before its update, as before.
            if (write.IsNew) inserts.Add(InsertValues(write.Row));
            if (write.Steps is not null) history.Add([write.Row.Id, write.HistoryId, write.HistoryAt, write.Steps]);
        }
        if (inserts.Count > 0) batch.BatchCommands.Add(Rows(InsertTasks, InsertParameters, inserts));
        if (tx is null)
        {
            // A task written twice in the batch: its last write holds all it changed (and its insert went first).
            var changes = writes.Where(w => !w.IsNew).GroupBy(w => w.Row.Id).Select(g => UpdateValues(g.Last().Row)).ToList();
            if (changes.Count > 0)
            {
                var command = Rows(UpdateAllOrFail, UpdateParameters, changes);
                command.Parameters.Add(new NpgsqlParameter { Value = (long)changes.Count });
                batch.BatchCommands.Add(command);
            }
        }
        else
            foreach (var write in writes.Where(w => !w.IsNew))
            {
                var command = Command(Update, UpdateParameters, UpdateValues(write.Row));
                batch.BatchCommands.Add(command);
                updates.Add((command, write));
            }
        if (history.Count > 0) batch.BatchCommands.Add(Rows(InsertHistories, HistoryParameters, history));
        // Sums and counters: this node's own rows (no other node's commit waits on them), each added once
        // per batch, in key order as the counters are (see TaskWriter.Write).
        foreach (var sum in writes.SelectMany(w => w.Sums ?? [])
            .GroupBy(s => (s.ConvId, s.NodeId, s.Name))
            .OrderBy(g => g.Key.ConvId).ThenBy(g => g.Key.NodeId, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal))
            batch.BatchCommands.Add(Command(Sums, SumParameters, SumValues(new Runtime.SumDelta(sum.Key.ConvId, sum.Key.NodeId, sum.Key.Name, sum.Sum(s => s.Delta)), node.NodeId)));
        if (stats.Count > 0) batch.BatchCommands.Add(Rows(AddAllStats, StatsParameters, [.. stats.Select(s => StatsValues(s, node.NodeId))]));
        return batch;
    }

    /// <summary>"INSERT INTO table (columns) SELECT * FROM unnest($1::type[], ...)": many rows, one statement.</summary>
    static string Unnest(string table, (string Name, System.Data.DbType Type)[] columns) =>
        $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Name))}) SELECT * FROM unnest({Arrays(columns)})";

    /// <summary>
    /// Every update of the batch in one statement, failing (22012) unless each found its task still this
    /// node's: the rows as arrays, the last parameter their count. Its keys are <see cref="BatchWriter.UpdateTask"/>'s.
    /// </summary>
    static string UpdateMany()
    {
        string[] keys = ["id", "owner"];
        var set = string.Join(", ", UpdateParameters.Where(c => !keys.Contains(c.Name)).Select(c => $"{c.Name} = v.{c.Name}"));
        var rows = $"unnest({Arrays(UpdateParameters)}) AS v({string.Join(", ", UpdateParameters.Select(c => c.Name))})";
        return OrFail($"UPDATE tasks SET {set} FROM {rows} WHERE tasks.id = v.id AND tasks.owner = v.owner", $"${UpdateParameters.Length + 1}::bigint");
    }

    static string Arrays((string Name, System.Data.DbType Type)[] columns) => string.Join(", ", columns.Select((c, i) => $"${i + 1}::{ArrayOf(c.Type)}"));

    static string ArrayOf(System.Data.DbType type) => type switch
    {
        System.Data.DbType.Int64 => "bigint[]",
        System.Data.DbType.Int32 => "integer[]",
        System.Data.DbType.String => "text[]",
        _ => throw new NotSupportedException($"no array type for {type}"),
    };

    /// <summary>The statement of <see cref="Unnest"/> with each column's values of all rows as one array.</summary>
    static NpgsqlBatchCommand Rows(string sql, (string Name, System.Data.DbType Type)[] columns, List<object?[]> rows)
    {
        var command = new NpgsqlBatchCommand(sql);
        for (var c = 0; c < columns.Length; c++)
        {
            var column = c;
            object values = columns[c].Type switch
            {
                System.Data.DbType.Int64 => rows.Select(r => (long?)r[column]).ToArray(),
                System.Data.DbType.Int32 => rows.Select(r => (int?)r[column]).ToArray(),
                _ => rows.Select(r => (string?)r[column]).ToArray(),
            };
            command.Parameters.Add(new NpgsqlParameter { Value = values });
        }
        return command;
    }

    static void Execute(NpgsqlBatch batch, IReadOnlyList<TaskWrite> writes)
    {
        try { batch.ExecuteNonQuery(); }
        catch (PostgresException e) when (e is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ix_tasks_active_ref" })
        {
            // Which write it was: the batch is retried one by one, and then there is only one.
            throw new RefTakenException(writes.Count == 1 ? writes[0].Row.Ref : null, e);
        }
    }

    static NpgsqlBatchCommand Command(string sql, (string Name, System.Data.DbType Type)[] parameters, object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        for (var i = 0; i < values.Length; i++)
            command.Parameters.Add(new NpgsqlParameter { DbType = parameters[i].Type, Value = values[i] ?? DBNull.Value });
        return command;
    }

    public override void Dispose() => connection.Dispose();
}
