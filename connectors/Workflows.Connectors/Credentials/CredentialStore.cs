using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using System.Data.Common;
using Workflows.Engine.Store;

namespace Workflows.Connectors.Credentials;

/// <summary>A named secret: its kind (bitrix24, telegram, smtp…) and its fields (tokens, URLs, passwords).</summary>
public sealed record Credential(string Name, string Kind, IReadOnlyDictionary<string, string> Fields)
{
    public string? this[string field] => Fields.TryGetValue(field, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    public Credential With(IReadOnlyDictionary<string, string> changes)
    {
        var fields = new Dictionary<string, string>(Fields, StringComparer.Ordinal);
        foreach (var (k, v) in changes) fields[k] = v;
        return this with { Fields = fields };
    }
}

public sealed record CredentialInfo(string Name, string Kind, DateTimeOffset UpdatedAt);

/// <summary>
/// Credentials in their own table on the engine's database (plain SQL both stores understand); the fields are one JSON object
/// encrypted with ASP.NET Core Data Protection. Nothing here logs a secret.
/// </summary>
public sealed class CredentialStore
{
    const string Purpose = "Workflows.Connectors.Credentials.v1";
    readonly StoreProvider _store;
    readonly IDataProtector _protector;
    readonly TimeProvider _time;
    int _ready;

    public CredentialStore(StoreProvider store, IDataProtectionProvider protection, TimeProvider? time = null)
    {
        _store = store;
        _protector = protection.CreateProtector(Purpose);
        _time = time ?? TimeProvider.System;
    }

    DbConnection Open()
    {
        var connection = _store.OpenConnection();
        if (Interlocked.CompareExchange(ref _ready, 1, 0) == 0) EnsureTable(connection);
        return connection;
    }

    public void EnsureTable()
    {
        using var connection = Open();
    }

    static void EnsureTable(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS credentials (name TEXT PRIMARY KEY, kind TEXT, secret TEXT, updated_at BIGINT)";
        command.ExecuteNonQuery();
    }

    public async Task<IReadOnlyList<CredentialInfo>> ListAsync(CancellationToken cancel = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, kind, updated_at FROM credentials ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancel);
        var list = new List<CredentialInfo>();
        while (await reader.ReadAsync(cancel))
            list.Add(new CredentialInfo(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        return list;
    }

    public async Task<Credential?> GetAsync(string name, CancellationToken cancel = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, secret FROM credentials WHERE name = @name";
        Add(command, "name", name);
        await using var reader = await command.ExecuteReaderAsync(cancel);
        if (!await reader.ReadAsync(cancel)) return null;
        var kind = reader.GetString(0);
        var json = _protector.Unprotect(reader.GetString(1));
        var fields = JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];
        return new Credential(name, kind, fields);
    }

    /// <summary>Creates or replaces (rotation = put again).</summary>
    public async Task PutAsync(Credential credential, CancellationToken cancel = default)
    {
        var secret = _protector.Protect(JsonSerializer.Serialize(credential.Fields));
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO credentials (name, kind, secret, updated_at) VALUES (@name, @kind, @secret, @at)
            ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, secret = excluded.secret, updated_at = excluded.updated_at
            """;
        Add(command, "name", credential.Name);
        Add(command, "kind", credential.Kind);
        Add(command, "secret", secret);
        Add(command, "at", _time.GetUtcNow().ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancel);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancel = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM credentials WHERE name = @name";
        Add(command, "name", name);
        return await command.ExecuteNonQueryAsync(cancel) > 0;
    }

    static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Fields from a JSON object: strings as they are, numbers and booleans as their text.</summary>
    public static Dictionary<string, string> FieldsOf(JsonObject fields)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            if (value is null) continue;
            result[key] = value is JsonValue v && v.TryGetValue(out string? s) ? s : value.ToJsonString();
        }
        return result;
    }
}
