using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Runtime;
using Workflows.Engine.Store;

namespace Workflows.Engine.Variables;

/// <summary>One environment variable as the management API shows it: a secret's value is never shown.</summary>
public sealed record EnvVar(string Name, string Value, bool Secret, DateTimeOffset UpdatedAt);

/// <summary>
/// Corezoid's environment variables, read in any template as <c>{{env_var[@name]}}</c>. A visible
/// variable reads anywhere; a secret one only reaches the outside (an API call's URL, headers and
/// body): everywhere else it reads as an empty string, and any text written into a task that
/// contains a secret's value has it masked, so it never lands in task data, history, logs or answers.
/// Kept in the store, held in memory.
/// </summary>
public sealed partial class EnvironmentVariables(IDbContextFactory<WorkflowsDb> dbs, IClock clock)
{
    public const string Mask = "***";
    readonly ConcurrentDictionary<string, EnvVar> _vars = new(StringComparer.Ordinal);
    volatile string[] _secrets = [];

    public IEnumerable<EnvVar> All => _vars.Values.OrderBy(v => v.Name, StringComparer.Ordinal);

    public EnvVar? Find(string name) => _vars.GetValueOrDefault(name);

    public static bool IsName(string name) => NamePattern().IsMatch(name);

    internal async Task LoadAsync(CancellationToken cancel)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        foreach (var row in await db.EnvVars.AsNoTracking().ToListAsync(cancel))
            _vars[row.Name] = new EnvVar(row.Name, row.Value, row.Secret, DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
        Refresh();
    }

    /// <exception cref="EngineException">The name is not a variable name.</exception>
    public async Task<EnvVar> SetAsync(string name, string value, bool secret, CancellationToken cancel = default)
    {
        if (!IsName(name)) throw EngineException.Invalid($"'{name}' is not a variable name: letters, digits, '-', '_' and '.', 1-64 characters");
        var now = clock.UtcNow;
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var row = await db.EnvVars.SingleOrDefaultAsync(v => v.Name == name, cancel);
        if (row is null) db.EnvVars.Add(row = new EnvVarRow { Name = name });
        row.Value = value;
        row.Secret = secret;
        row.UpdatedAt = now.ToUnixTimeMilliseconds();
        await db.SaveChangesAsync(cancel);
        var stored = _vars[name] = new EnvVar(name, value, secret, now);
        Refresh();
        return stored;
    }

    /// <returns>False when there was no such variable.</returns>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var deleted = await db.EnvVars.Where(v => v.Name == name).ExecuteDeleteAsync(cancel) > 0;
        _vars.TryRemove(name, out _);
        Refresh();
        return deleted;
    }

    /// <summary>The value a template reads: empty when unknown, and for a secret unless it goes outside.</summary>
    public string Read(string name, bool outbound) =>
        _vars.TryGetValue(name, out var v) && (!v.Secret || outbound) ? v.Value : "";

    /// <summary>The text with every secret value masked (cheap when there are no secrets).</summary>
    public string Scrub(string text)
    {
        var secrets = _secrets;
        if (secrets.Length == 0 || text.Length == 0) return text;
        foreach (var s in secrets)
            if (text.Contains(s, StringComparison.Ordinal)) text = text.Replace(s, Mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>A JSON value with every secret value in its strings masked; the same instance when nothing changed.</summary>
    public JsonNode? Scrub(JsonNode? node)
    {
        if (_secrets.Length == 0) return node;
        switch (node)
        {
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                var text = v.GetValue<string>();
                var clean = Scrub(text);
                return ReferenceEquals(clean, text) ? node : JsonValue.Create(clean);
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToList())
                    if (Scrub(o[key]) is var c && !ReferenceEquals(c, o[key])) o[key] = c;
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (Scrub(a[i]) is var c && !ReferenceEquals(c, a[i])) a[i] = c;
                return a;
            default:
                return node;
        }
    }

    /// <summary>Longest first, so a secret that contains another is masked whole; very short values are not masked (they would mask everything).</summary>
    void Refresh() => _secrets = [.. _vars.Values.Where(v => v.Secret && v.Value.Length >= 4).Select(v => v.Value).OrderByDescending(s => s.Length)];

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex NamePattern();
}
