using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Definitions;
using Workflows.Engine.Store;

namespace Workflows.Engine.Runtime;

/// <summary>
/// A process as the engine holds it: its row (title, hash, state) and its latest compiled version.
/// A stored version that no longer compiles leaves the process <see cref="Broken"/>: listed with the
/// reason, its tasks kept where they are (like a paused process's), new tasks refused, until it is saved again.
/// </summary>
public sealed record ProcessEntry(ProcessRow Row, CompiledProcess Latest, string? Broken = null)
{
    public long ConvId => Row.ConvId;
    /// <summary>Active, paused by a person, or broken (as the APIs show it).</summary>
    public ProcessStatus Status => Broken is not null ? ProcessStatus.Broken
        : ProcessStatuses.TryParse(Row.Status, out var status) ? status : ProcessStatus.Active;
    /// <summary>True when the process runs nothing: paused by a person, or broken.</summary>
    public bool Paused => Status != ProcessStatus.Active;
}

/// <summary>
/// Processes and their versions: saved through EF Core, compiled once, kept in memory for the runner.
/// Each save is a new version; tasks continue by node id in the newest version that has their node.
/// </summary>
public sealed class ProcessRegistry(IDbContextFactory<WorkflowsDb> dbs, NodeMembership node, ProcessCompiler compiler, NodeCounters counters, NodeSums sums, IClock clock, ILogger<ProcessRegistry> log) : IDisposable
{
    readonly ConcurrentDictionary<long, ProcessEntry> _processes = new();
    readonly ConcurrentDictionary<(long, int), CompiledProcess> _versions = new();
    readonly SemaphoreSlim _saving = new(1, 1);

    public ProcessCompiler Compiler => compiler;

    /// <summary>Raised after a process is saved, changes state or is deleted (schedules follow it).</summary>
    public event Action<long>? Changed;

    public IEnumerable<ProcessEntry> All => _processes.Values.OrderBy(p => p.ConvId);

    public ProcessEntry? Find(long convId) => _processes.GetValueOrDefault(convId);

    /// <summary>
    /// As <see cref="Find"/>; when other nodes share the store, a process this node has not heard of
    /// yet (saved elsewhere a moment ago) is read from the store before it is called missing.
    /// </summary>
    public async ValueTask<ProcessEntry?> FindAsync(long convId, CancellationToken cancel = default)
    {
        if (Find(convId) is { } known) return known;
        if (!node.Shared) return null;
        await ReloadAsync(convId, cancel);
        return Find(convId);
    }

    /// <summary>
    /// The process a public URL names (public, webhook, callback, vendor events), if its hash opens it:
    /// the one check of conv_id and hash. Missing: no such process (404); WrongHash: it exists, the hash is not its (403).
    /// </summary>
    public async ValueTask<(ProcessEntry? Process, bool WrongHash)> OpenAsync(string convId, string hash, CancellationToken cancel = default)
    {
        // FindAsync: a process just saved on another node is read from the store.
        if (!long.TryParse(convId, out var id) || await FindAsync(id, cancel) is not { } process) return (null, false);
        var opens = CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(hash), System.Text.Encoding.UTF8.GetBytes(process.Row.Hash));
        return opens ? (process, false) : (null, true);
    }

    public ProcessEntry? FindByAlias(string alias) => _processes.Values.FirstOrDefault(p => string.Equals(p.Row.Alias, alias, StringComparison.OrdinalIgnoreCase));

    /// <summary>A process named by conv_id, @alias or alias (copy task, call process, count limits); null when there is none.</summary>
    public long? Resolve(string text)
    {
        text = text.Trim();
        if (text.StartsWith('@')) return FindByAlias(text[1..])?.ConvId;
        return long.TryParse(text, out var convId) && Find(convId) is not null ? convId : FindByAlias(text)?.ConvId;
    }

    public ProcessEntry Get(long convId) => Find(convId) ?? throw EngineException.NotFound($"process {convId} does not exist");

    internal async Task LoadAsync(CancellationToken cancel)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var rows = await db.Processes.AsNoTracking().ToListAsync(cancel);
        foreach (var row in rows)
        {
            var version = await db.ProcessVersions.AsNoTracking().SingleOrDefaultAsync(v => v.ConvId == row.ConvId && v.Version == row.Version, cancel);
            _processes[row.ConvId] = Load(row, version?.Definition);
        }
    }

    /// <summary>Compiles a stored process; one that cannot be compiled is kept as broken so every other process still starts.</summary>
    ProcessEntry Load(ProcessRow row, string? stored)
    {
        ProcessDefinition? definition = null;
        try
        {
            if (stored is null) throw new InvalidOperationException($"its version {row.Version} is missing from the store");
            definition = DefinitionJson.Parse(stored);
            var compiled = compiler.Compile(definition, row.ConvId, row.Version);
            _versions[(row.ConvId, row.Version)] = compiled;
            return new ProcessEntry(row, compiled);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = e is DefinitionException d
                ? string.Join("; ", d.Errors.Select(x => x.ToString()))
                : $"version {row.Version} cannot be read: {e.Message}";
            log.LogError("Process {ConvId} '{Title}' is broken and runs nothing until it is saved again: {Reason}", row.ConvId, row.Title, reason);
            definition ??= new ProcessDefinition { ConvId = row.ConvId, Title = row.Title, Description = row.Description };
            return new ProcessEntry(row, CompiledProcess.Broken(definition, row.ConvId, row.Version), reason);
        }
    }

    /// <summary>
    /// Another node (or this one) saved, paused, re-hashed or deleted a process: take its row and latest
    /// version from the store. Null means anything may have changed: read every process again.
    /// </summary>
    public async Task ReloadAsync(long? convId, CancellationToken cancel)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var rows = await db.Processes.AsNoTracking().Where(p => convId == null || p.ConvId == convId).ToListAsync(cancel);
        var gone = convId is { } one ? (rows.Count == 0 ? [one] : []) : _processes.Keys.Except(rows.Select(r => r.ConvId)).ToList();
        foreach (var id in gone)
        {
            if (!_processes.TryRemove(id, out _)) continue;
            foreach (var key in _versions.Keys.Where(k => k.Item1 == id).ToList()) _versions.TryRemove(key, out _);
            counters.ForgetProcess(id);
            Changed?.Invoke(id);
        }
        foreach (var row in rows)
        {
            var known = Find(row.ConvId);
            // Unchanged (this node's own announcement), or older than what this node already holds.
            if (known is not null && (row.Version < known.Row.Version || row.ChangedAt < known.Row.ChangedAt
                || (known.Row.ChangedAt == row.ChangedAt && known.Row.Version == row.Version && known.Row.Status == row.Status && known.Row.Hash == row.Hash)))
                continue;
            if (known is not null && known.Latest.Version == row.Version) { Register(row, known.Latest, known.Broken); continue; }
            if (_versions.TryGetValue((row.ConvId, row.Version), out var cached)) { Register(row, cached); continue; }
            var stored = await db.ProcessVersions.AsNoTracking().SingleOrDefaultAsync(v => v.ConvId == row.ConvId && v.Version == row.Version, cancel);
            var loaded = Load(row, stored?.Definition);
            Register(row, loaded.Latest, loaded.Broken);
        }
    }

    /// <summary>The version a task runs in: the newest if it still has the task's node, else the task's own.</summary>
    public async ValueTask<CompiledProcess?> VersionFor(TaskState task)
    {
        if (Find(task.ConvId) is not { } entry || entry.Broken is not null) return null;
        if (entry.Latest.Version == task.Version || entry.Latest.Node(task.NodeId) is not null) return entry.Latest;
        if (_versions.TryGetValue((task.ConvId, task.Version), out var cached)) return cached;
        await using var db = await dbs.CreateDbContextAsync();
        var row = await db.ProcessVersions.AsNoTracking().SingleOrDefaultAsync(v => v.ConvId == task.ConvId && v.Version == task.Version);
        if (row is null) return null;
        try { return _versions[(task.ConvId, task.Version)] = compiler.Compile(DefinitionJson.Parse(row.Definition), task.ConvId, task.Version); }
        catch (Exception e) when (e is DefinitionException or System.Text.Json.JsonException)
        {
            // An old version stored before a rule it breaks existed: its tasks stay where they are.
            log.LogError("Version {Version} of process {ConvId} cannot be compiled; task {Task} stays where it is: {Error}", task.Version, task.ConvId, TaskIds.Format(task.Id), e.Message);
            return null;
        }
    }

    public async Task<ProcessEntry> CreateAsync(ProcessDefinition definition, CancellationToken cancel = default)
    {
        var errors = compiler.Validate(definition);
        if (errors.Count > 0) throw new DefinitionException(errors);
        await _saving.WaitAsync(cancel);
        try
        {
            // Several nodes may create processes at once: the ids in use come from the store, and the primary key decides.
            var convId = definition.ConvId ?? ConvIds.NextFree(node.Shared ? await ConvIdsInStoreAsync(cancel) : _processes.Keys.ToList());
            if (_processes.ContainsKey(convId)) throw EngineException.Conflict($"process {convId} already exists; update it with PUT /api/processes/{convId}");
            CheckAlias(definition.Alias, convId);
            definition.ConvId = convId;
            var compiled = compiler.Compile(definition, convId, 1);
            var now = clock.UtcNow.ToUnixTimeMilliseconds();
            var row = new ProcessRow
            {
                ConvId = convId, Title = definition.Title, Description = definition.Description, Alias = definition.Alias,
                Status = definition.Status ?? ProcessStatuses.Active, Hash = NewHash(), Version = 1, CreatedAt = now, ChangedAt = now,
            };
            await using var db = await dbs.CreateDbContextAsync(cancel);
            db.Processes.Add(row);
            db.ProcessVersions.Add(new ProcessVersionRow { ConvId = convId, Version = 1, Definition = DefinitionJson.Write(definition, indented: false), CreatedAt = now });
            await db.SaveChangesAsync(cancel);
            return await Announce(Register(row, compiled), cancel);
        }
        finally { _saving.Release(); }
    }

    async Task<List<long>> ConvIdsInStoreAsync(CancellationToken cancel)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        return await db.Processes.Select(p => p.ConvId).ToListAsync(cancel);
    }

    /// <summary>Tells the other nodes: they read the process again within moments (LISTEN/NOTIFY).</summary>
    async Task<ProcessEntry> Announce(ProcessEntry entry, CancellationToken cancel)
    {
        await node.AnnounceProcessAsync(entry.ConvId, cancel);
        return entry;
    }

    public async Task<ProcessEntry> UpdateAsync(long convId, ProcessDefinition definition, CancellationToken cancel = default)
    {
        var errors = compiler.Validate(definition);
        if (errors.Count > 0) throw new DefinitionException(errors);
        if (definition.ConvId is not null && definition.ConvId != convId)
            throw EngineException.Invalid($"the definition's conv_id {definition.ConvId} does not match the process {convId}");
        await _saving.WaitAsync(cancel);
        try
        {
            var current = Get(convId);
            CheckAlias(definition.Alias, convId);
            definition.ConvId = convId;
            var version = current.Row.Version + 1;
            var compiled = compiler.Compile(definition, convId, version);
            var now = clock.UtcNow.ToUnixTimeMilliseconds();
            await using var db = await dbs.CreateDbContextAsync(cancel);
            var row = await db.Processes.SingleAsync(p => p.ConvId == convId, cancel);
            row.Title = definition.Title;
            row.Description = definition.Description;
            row.Alias = definition.Alias;
            row.Version = version;
            row.ChangedAt = now;
            db.ProcessVersions.Add(new ProcessVersionRow { ConvId = convId, Version = version, Definition = DefinitionJson.Write(definition, indented: false), CreatedAt = now });
            await db.SaveChangesAsync(cancel);
            return await Announce(Register(row, compiled), cancel);
        }
        finally { _saving.Release(); }
    }

    public Task<ProcessEntry> SetStatusAsync(long convId, ProcessStatus status, CancellationToken cancel = default) =>
        ChangeRowAsync(convId, row => row.Status = status.Wire(), cancel);

    public Task<ProcessEntry> RegenerateHashAsync(long convId, CancellationToken cancel = default) =>
        ChangeRowAsync(convId, row => row.Hash = NewHash(), cancel);

    async Task<ProcessEntry> ChangeRowAsync(long convId, Action<ProcessRow> change, CancellationToken cancel)
    {
        await _saving.WaitAsync(cancel);
        try
        {
            var current = Get(convId);
            await using var db = await dbs.CreateDbContextAsync(cancel);
            var row = await db.Processes.SingleAsync(p => p.ConvId == convId, cancel);
            change(row);
            row.ChangedAt = clock.UtcNow.ToUnixTimeMilliseconds();
            await db.SaveChangesAsync(cancel);
            return await Announce(Register(row, current.Latest, current.Broken), cancel);
        }
        finally { _saving.Release(); }
    }

    /// <summary>Removes the process with its versions, tasks and history.</summary>
    public async Task DeleteAsync(long convId, CancellationToken cancel = default)
    {
        await _saving.WaitAsync(cancel);
        try
        {
            Get(convId);
            _processes.TryRemove(convId, out _);
            await using var db = await dbs.CreateDbContextAsync(cancel);
            await using var tx = await db.Database.BeginTransactionAsync(cancel);
            await db.TaskHistory.Where(h => db.Tasks.Any(t => t.Id == h.TaskId && t.ConvId == convId)).ExecuteDeleteAsync(cancel);
            await db.Tasks.Where(t => t.ConvId == convId).ExecuteDeleteAsync(cancel);
            await db.NodeStats.Where(s => s.ConvId == convId).ExecuteDeleteAsync(cancel);
            await db.NodeSums.Where(s => s.ConvId == convId).ExecuteDeleteAsync(cancel);
            await db.ProcessVersions.Where(v => v.ConvId == convId).ExecuteDeleteAsync(cancel);
            await db.Processes.Where(p => p.ConvId == convId).ExecuteDeleteAsync(cancel);
            await tx.CommitAsync(cancel);
            foreach (var key in _versions.Keys.Where(k => k.Item1 == convId).ToList()) _versions.TryRemove(key, out _);
            counters.ForgetProcess(convId);
            sums.ForgetProcess(convId);
            Changed?.Invoke(convId);
            await node.AnnounceProcessAsync(convId, cancel);
        }
        finally { _saving.Release(); }
    }

    public async Task<List<ProcessVersionRow>> VersionsAsync(long convId, CancellationToken cancel = default)
    {
        Get(convId);
        await using var db = await dbs.CreateDbContextAsync(cancel);
        return await db.ProcessVersions.AsNoTracking().Where(v => v.ConvId == convId).OrderByDescending(v => v.Version).ToListAsync(cancel);
    }

    void CheckAlias(string? alias, long convId)
    {
        if (alias is not null && FindByAlias(alias) is { } other && other.ConvId != convId)
            throw EngineException.Conflict($"alias '{alias}' is already used by process {other.ConvId}");
    }

    ProcessEntry Register(ProcessRow row, CompiledProcess compiled, string? broken = null)
    {
        if (broken is null) _versions[(row.ConvId, compiled.Version)] = compiled;
        var entry = new ProcessEntry(row, compiled, broken);
        _processes[row.ConvId] = entry;
        Changed?.Invoke(row.ConvId);
        return entry;
    }

    static string NewHash() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public void Dispose() => _saving.Dispose();
}
