using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
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

    internal override BatchWriter OpenBatchWriter() => new PostgresBatchWriter(_source.OpenConnection());

    public override void ConfigureQuartz(IPersistentStoreBuilder store)
    {
        store.UsePostgres(NpgsqlFactory.Instance, ConnectionString);
        store.UseSystemTextJsonSerializer();
        store.ProvisionSchema();
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

/// <summary>A group commit as one NpgsqlBatch: every statement of the transaction in one round trip.</summary>
sealed class PostgresBatchWriter(NpgsqlConnection connection) : BatchWriter
{
    static readonly string Insert = PostgresProvider.Positional(InsertTask, InsertParameters);
    static readonly string Update = PostgresProvider.Positional(UpdateTask, UpdateParameters);
    static readonly string History = PostgresProvider.Positional(InsertHistory, HistoryParameters);
    static readonly string Stats = PostgresProvider.Positional(AddStats, StatsParameters);
    static readonly string Sums = PostgresProvider.Positional(AddSum.Replace("@add", "node_sums.value + excluded.value", StringComparison.Ordinal), SumParameters);

    public override void Commit(IReadOnlyList<TaskWrite> writes, IReadOnlyList<StatDelta> stats)
    {
        using var tx = connection.BeginTransaction();
        using var batch = new NpgsqlBatch(connection, tx);
        foreach (var write in writes)
        {
            batch.BatchCommands.Add(write.IsNew ? Command(Insert, InsertParameters, InsertValues(write.Row)) : Command(Update, UpdateParameters, UpdateValues(write.Row)));
            if (write.Steps is not null)
                batch.BatchCommands.Add(Command(History, HistoryParameters, [write.Row.Id, write.HistoryId, write.HistoryAt, write.Steps]));
            foreach (var sum in write.Sums ?? []) batch.BatchCommands.Add(Command(Sums, SumParameters, SumValues(sum)));
        }
        foreach (var s in stats) batch.BatchCommands.Add(Command(Stats, StatsParameters, [s.ConvId, s.NodeId, s.Entered, s.Left]));
        batch.ExecuteNonQuery();
        tx.Commit();
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
