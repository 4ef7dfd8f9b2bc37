using Npgsql;
using Workflows.Engine;
using Workflows.Engine.Store.Postgres;

namespace Workflows.Tests.Support;

/// <summary>
/// The private PostgreSQL that tests/run.sh starts (its connection string in WORKFLOWS_TEST_POSTGRES).
/// Each test server gets a database of its own, copied from a template that already has the schema:
/// CREATE DATABASE ... TEMPLATE takes milliseconds where migrating a fresh one takes far longer.
/// </summary>
public static class TestPostgres
{
    const string Variable = "WORKFLOWS_TEST_POSTGRES";
    static readonly SemaphoreSlim Gate = new(1, 1);
    static string? _template;

    /// <summary>The cluster's connection string; fails the test with what to do when there is none.</summary>
    public static string Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs
        : throw new InvalidOperationException($"{Variable} is not set: run the suite with tests/run.sh, which starts a private PostgreSQL, or point {Variable} at one");

    /// <summary>Creates an empty database with the engine's schema and answers its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var template = await TemplateAsync();
        var name = "wf_" + Guid.NewGuid().ToString("n");
        await Exec($"CREATE DATABASE {name} TEMPLATE {template}");
        return With(name);
    }

    /// <summary>Creates a database with nothing in it (no schema) and answers its connection string.</summary>
    public static async Task<string> CreateEmptyDatabaseAsync()
    {
        var name = "wf_" + Guid.NewGuid().ToString("n");
        await Exec($"CREATE DATABASE {name}");
        return With(name);
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await Exec($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    static string With(string database) => new NpgsqlConnectionStringBuilder(Server) { Database = database }.ConnectionString;

    static async Task<string> TemplateAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_template is not null) return _template;
            // One template per test process, named by the process so parallel runs never share one.
            var name = $"wf_template_{Environment.ProcessId}";
            await Exec($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            await Exec($"CREATE DATABASE {name}");
            await using (var provider = new PostgresProvider(new EngineOptions { Store = "postgres", ConnectionString = With(name) }))
                await provider.MigrateAsync(CancellationToken.None);
            return _template = name;
        }
        finally { Gate.Release(); }
    }

    static async Task Exec(string sql)
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// A fixture run once per store: the engine and API suites derive from it, so every test of theirs
/// runs on SQLite and on PostgreSQL.
/// </summary>
[TestFixture("sqlite")]
[TestFixture("postgres", Category = Categories.Postgres)]
public abstract class OnBothStores(string store)
{
    protected string Store { get; } = store;
}

/// <summary>
/// A new, empty store of one kind in a folder of its own (a SQLite file there, or a PostgreSQL database
/// with nothing in it), for tests that migrate or upgrade a store themselves; disposing removes both.
/// </summary>
public sealed class EmptyStore : IAsyncDisposable
{
    EmptyStore(EngineOptions options, string folder) => (Options, Folder) = (options, folder);

    public EngineOptions Options { get; }
    public string Folder { get; }

    public static async Task<EmptyStore> CreateAsync(string store)
    {
        var folder = Path.Combine(Path.GetTempPath(), "workflows-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        // No pooling on SQLite: the file is closed with its last connection, so the folder can go.
        var connectionString = store == "sqlite" ? $"Data Source={Path.Combine(folder, "workflows.db")};Pooling=false" : await TestPostgres.CreateEmptyDatabaseAsync();
        return new EmptyStore(new EngineOptions { Store = store, ConnectionString = connectionString }, folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (Options.Store == "postgres") await TestPostgres.DropDatabaseAsync(Options.ConnectionString);
        try { Directory.Delete(Folder, true); }
        catch (IOException) { }
    }
}
