using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Quartz;
using Workflows.Engine.Store.Postgres;
using Workflows.Engine.Store.Sqlite;

namespace Workflows.Engine.Store;

/// <summary>
/// What differs between databases, in one place per provider (Store/Sqlite, Store/Postgres): the EF
/// set-up and migrations, the group commit's connection and statements, maintenance, Quartz's job
/// store. Everything outside the store goes through this and never names a database.
/// </summary>
public abstract class StoreProvider : IAsyncDisposable
{
    protected StoreProvider(EngineOptions options) => Options = options;

    protected EngineOptions Options { get; }

    /// <summary>The provider named by <see cref="EngineOptions.Store"/>.</summary>
    public static StoreProvider For(EngineOptions options) => options.Store.ToLowerInvariant() switch
    {
        "sqlite" => new SqliteProvider(options),
        "postgres" or "postgresql" => new PostgresProvider(options),
        _ => throw new ArgumentException($"Workflows:Store is '{options.Store}'; use 'sqlite' (embedded, the default) or 'postgres'"),
    };

    /// <summary>"sqlite" or "postgres", for /health and logs.</summary>
    public abstract string Name { get; }

    /// <summary>A new context on the provider's own model and migrations.</summary>
    public abstract WorkflowsDb CreateDb();

    /// <summary>Creates or migrates the schema; called once at start, before anything reads or writes.</summary>
    public abstract Task MigrateAsync(CancellationToken cancel);

    /// <summary>
    /// Puts another EF context on the engine's database, for tables a host owns (the server's users):
    /// this provider, and that context's migrations recorded in a history table of their own.
    /// </summary>
    public abstract void UseFor(DbContextOptionsBuilder builder, string migrationsHistoryTable);

    /// <summary>An open connection on the engine's database, for the few tables kept outside EF (credentials).</summary>
    public abstract DbConnection OpenConnection();

    /// <summary>The group commit's writer: its own connection and statements, used by one thread only.</summary>
    internal abstract BatchWriter OpenBatchWriter(NodeMembership node);

    /// <summary>This node among the others on the database (on SQLite: alone).</summary>
    public virtual NodeMembership CreateMembership(ILoggerFactory logs) => new();

    /// <summary>Background upkeep while the engine runs (SQLite: WAL checkpoints); null when the database needs none.</summary>
    internal virtual Task? StartUpkeep(ILogger log, CancellationToken stop) => null;

    /// <summary>The size of the write-ahead log on disk now (SQLite), for /health; null where the engine does not manage one.</summary>
    public virtual long? WalBytes => null;

    /// <summary>Checkpoints that truncated a WAL grown past its limit, for /health.</summary>
    public long WalTruncations { get; protected set; }

    /// <summary>Gives pages freed by pruning back, where the database does not do it itself.</summary>
    public virtual Task CompactAsync(CancellationToken cancel) => Task.CompletedTask;

    /// <summary>Where the Data Protection key ring is kept unless configured.</summary>
    public virtual string KeysFolder => Path.Combine(Directory.GetCurrentDirectory(), "keys");

    /// <summary>Quartz's persistent job store on the engine's database.</summary>
    public abstract void ConfigureQuartz(IPersistentStoreBuilder store);

    /// <summary>Closes the provider's pooled connections.</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    internal static void Exec(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>The EF context factory handed to the runtime: contexts of the configured provider.</summary>
sealed class StoreDbFactory(StoreProvider provider) : IDbContextFactory<WorkflowsDb>
{
    public WorkflowsDb CreateDbContext() => provider.CreateDb();
}
