using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Workflows.Engine.Store.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. Commits are durable (synchronous FULL unless
/// configured otherwise); the WAL is copied back by a checkpoint thread of its own so the writer never
/// stops for it; pruned pages go back to the file system (incremental vacuum).
/// </summary>
public sealed class SqliteProvider : StoreProvider
{
    readonly DbContextOptions<SqliteDb> _db;

    public SqliteProvider(EngineOptions options) : base(options)
    {
        var builder = new DbContextOptionsBuilder<SqliteDb>().UseSqlite(options.ConnectionString);
        // Migrations are hand-written, so there is no model snapshot to compare.
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        _db = builder.Options;
    }

    public override string Name => "sqlite";

    public override WorkflowsDb CreateDb() => new SqliteDb(_db);

    public override void UseFor(DbContextOptionsBuilder builder, string migrationsHistoryTable)
    {
        builder.UseSqlite(Options.ConnectionString, o => o.MigrationsHistoryTable(migrationsHistoryTable));
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    public override async Task MigrateAsync(CancellationToken cancel)
    {
        await using var db = CreateDb();
        if (db.Database.GetDbConnection().DataSource is { Length: > 0 } file && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir)
            Directory.CreateDirectory(dir);
        // Pages freed by pruning go back to the file system (set before the first table exists).
        await db.Database.OpenConnectionAsync(cancel);
        await db.Database.ExecuteSqlRawAsync("PRAGMA auto_vacuum=INCREMENTAL;", cancel);
        await db.Database.MigrateAsync(cancel);
    }

    public override DbConnection OpenConnection()
    {
        var connection = new SqliteConnection(Options.ConnectionString);
        connection.Open();
        Exec(connection, "PRAGMA busy_timeout=10000;");
        return connection;
    }

    internal override BatchWriter OpenBatchWriter(NodeMembership node) => new SqliteBatchWriter(Options, node);

    public override long? WalBytes
    {
        get
        {
            try
            {
                var source = new SqliteConnectionStringBuilder(Options.ConnectionString).DataSource;
                if (string.IsNullOrWhiteSpace(source) || source.StartsWith(":memory:", StringComparison.Ordinal) || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase)) return null;
                var wal = new FileInfo(Path.GetFullPath(source) + "-wal");
                return wal.Exists ? wal.Length : 0;
            }
            catch (Exception e) when (e is IOException or ArgumentException) { return null; }
        }
    }

    /// <summary>
    /// Copies the WAL back into the database in the background, so it stays small without blocking commits.
    /// A passive checkpoint copies what no reader still needs but never resets the log while readers keep
    /// using it, so under steady reads the file only grew (938 MB next to an 87 MB database, issue 17).
    /// Past <see cref="EngineOptions.SqliteWalLimitBytes"/> the checkpointer truncates instead: it waits
    /// (at most 2 s, commits wait with it) for the readers of older snapshots, copies everything and cuts
    /// the file to zero.
    /// </summary>
    internal override Task StartUpkeep(ILogger log, CancellationToken stop) => Threads.Start("workflows-checkpoints", () =>
    {
        using var connection = OpenConnection();
        Exec(connection, "PRAGMA busy_timeout=2000;");
        while (!stop.IsCancellationRequested)
        {
            if (stop.WaitHandle.WaitOne(500)) break;
            try
            {
                if (WalBytes > Options.SqliteWalLimitBytes)
                {
                    // The first column is 1 when readers still held the log after the wait: try again next round.
                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                    if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0) WalTruncations++;
                }
                else Exec(connection, "PRAGMA wal_checkpoint(PASSIVE);");
            }
            catch (SqliteException e) { log.LogWarning("WAL checkpoint failed: {Error}", e.Message); }
        }
        try { Exec(connection, "PRAGMA wal_checkpoint(TRUNCATE);"); }
        catch (SqliteException) { }
    });

    public override async Task CompactAsync(CancellationToken cancel)
    {
        await using var db = CreateDb();
        await db.Database.ExecuteSqlRawAsync("PRAGMA incremental_vacuum;", cancel);
    }

    /// <summary>A "keys" folder beside the SQLite file (a temp folder for in-memory databases).</summary>
    public override string KeysFolder
    {
        get
        {
            string? source;
            try { source = new SqliteConnectionStringBuilder(Options.ConnectionString).DataSource; }
            catch (ArgumentException) { source = null; }
            if (string.IsNullOrWhiteSpace(source) || source == ":memory:" || source.StartsWith("file::memory", StringComparison.OrdinalIgnoreCase))
                return Path.Combine(Path.GetTempPath(), "workflows-keys");
            var folder = Path.GetDirectoryName(Path.GetFullPath(source)) ?? Directory.GetCurrentDirectory();
            return Path.Combine(folder, "keys");
        }
    }

    public override void ConfigureQuartz(IPersistentStoreBuilder store)
    {
        store.UseSqlite(Options.ConnectionString);
        store.UseSystemTextJsonSerializer();
        store.ProvisionSchema();
    }
}

/// <summary>The SQLite model: its migrations (Store/Sqlite/Migrations) name this type.</summary>
public sealed class SqliteDb(DbContextOptions<SqliteDb> options) : WorkflowsDb(options);

/// <summary>
/// Prepared statements on the writer's own connection, run in process one after another. They are
/// driven through SQLite's own API (bound by position, stepped, reset): Microsoft.Data.Sqlite looks up
/// every parameter by name on every run, which cost about a third of the writer's time in a wave of
/// timers.
/// </summary>
sealed class SqliteBatchWriter : BatchWriter
{
    readonly SqliteConnection _connection;
    readonly Statement _insert, _update, _history, _stats, _sums;
    readonly NodeMembership _node;

    public SqliteBatchWriter(EngineOptions options, NodeMembership node)
    {
        _node = node;
        _connection = new SqliteConnection(options.ConnectionString);
        _connection.Open();
        // FULL: a commit is on disk before anyone is told. Checkpoints run on their own connection
        // (see StartUpkeep) so the writer never stops to copy the WAL back into the database.
        var synchronous = options.SqliteSynchronous.Equals("NORMAL", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL";
        StoreProvider.Exec(_connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={options.SqliteWalLimitBytes};");
        // SQLite has no decimal type: sums are kept as text and added here, exactly, in .NET's decimal.
        _connection.CreateFunction("workflows_decimal_add", (string? a, string? b) => DecimalText.Add(a, b), isDeterministic: true);
        // A task's first write inserts, later ones update: cheaper than an upsert's failed insert.
        _insert = new Statement(_connection, InsertTask, InsertParameters);
        _update = new Statement(_connection, UpdateTask, UpdateParameters);
        _history = new Statement(_connection, InsertHistory, HistoryParameters);
        _stats = new Statement(_connection, AddStats, StatsParameters);
        _sums = new Statement(_connection, AddSum.Replace("@add", "workflows_decimal_add(node_sums.value, excluded.value)", StringComparison.Ordinal), SumParameters);
    }

    public override void Commit(IReadOnlyList<TaskWrite> writes, IReadOnlyList<StatDelta> stats, List<TaskWrite> lost)
    {
        using var tx = _connection.BeginTransaction();
        foreach (var write in writes)
        {
            int written;
            try { written = write.IsNew ? _insert.Run(InsertValues(write.Row)) : _update.Run(UpdateValues(write.Row)); }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 && e.Message.Contains("tasks.conv_id, tasks.ref", StringComparison.Ordinal))
            {
                throw new RefTakenException(write.Row.Ref, e);
            }
            if (written == 0)
            {
                lost.Add(write);
                continue;
            }
            if (write.Steps is not null)
                _history.Run([write.Row.Id, write.HistoryId, write.HistoryAt, write.Steps]);
            foreach (var sum in write.Sums ?? [])
                _sums.Run([sum.ConvId, sum.NodeId, sum.Name, _node.NodeId, DecimalText.Of(sum.Delta)]);
        }
        foreach (var s in stats)
            _stats.Run(StatsValues(s, _node.NodeId));
        tx.Commit();
    }

    public override void Dispose()
    {
        _insert.Dispose();
        _update.Dispose();
        _history.Dispose();
        _stats.Dispose();
        _sums.Dispose();
        _connection.Dispose();
    }

    /// <summary>One statement prepared once on the connection; its parameters' positions looked up once.</summary>
    sealed class Statement : IDisposable
    {
        readonly SQLitePCL.sqlite3 _db;
        readonly SQLitePCL.sqlite3_stmt _statement;
        readonly int[] _positions;

        public Statement(SqliteConnection connection, string sql, (string Name, System.Data.DbType Type)[] parameters)
        {
            _db = connection.Handle!;
            Check(SQLitePCL.raw.sqlite3_prepare_v2(_db, sql, out _statement));
            _positions = [.. parameters.Select(p => SQLitePCL.raw.sqlite3_bind_parameter_index(_statement, "@" + p.Name))];
            if (_positions.Any(p => p == 0)) throw new InvalidOperationException($"a parameter of '{sql}' is not in the statement");
        }

        /// <summary>Runs the statement with these values (in the parameters' order); answers the rows it changed.</summary>
        public int Run(object?[] values)
        {
            try
            {
                for (var i = 0; i < values.Length; i++)
                {
                    var at = _positions[i];
                    Check(values[i] switch
                    {
                        null => SQLitePCL.raw.sqlite3_bind_null(_statement, at),
                        long l => SQLitePCL.raw.sqlite3_bind_int64(_statement, at, l),
                        int n => SQLitePCL.raw.sqlite3_bind_int64(_statement, at, n),
                        string t => SQLitePCL.raw.sqlite3_bind_text(_statement, at, t),
                        var other => throw new InvalidOperationException($"no SQLite binding for a {other.GetType().Name}"),
                    });
                }
                var done = SQLitePCL.raw.sqlite3_step(_statement);
                if (done != SQLitePCL.raw.SQLITE_DONE) Check(done);
                return SQLitePCL.raw.sqlite3_changes(_db);
            }
            finally
            {
                SQLitePCL.raw.sqlite3_reset(_statement);
                SQLitePCL.raw.sqlite3_clear_bindings(_statement);
            }
        }

        void Check(int code)
        {
            if (code != SQLitePCL.raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(code, _db);
        }

        public void Dispose() => _statement.Dispose();
    }
}

/// <summary>Decimals as SQLite keeps them: text, as .NET writes a decimal (its scale kept: 800.60 stays 800.60).</summary>
static class DecimalText
{
    public static string Of(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Add(string? a, string? b) => Of(Parse(a) + Parse(b));

    static decimal Parse(string? text) =>
        string.IsNullOrEmpty(text) ? 0m : decimal.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
}
