using Microsoft.EntityFrameworkCore;

namespace Workflows.Engine.Store;

/// <summary>
/// The store's schema and queries (EF Core), shared by the providers; each provider's subclass
/// (SqliteDb, PostgresDb) carries its own migrations. The hot write path does not go through EF: the
/// <see cref="TaskWriter"/> group-commits task rows through the provider's <see cref="BatchWriter"/>.
/// Times are unix milliseconds, so both SQLite and PostgreSQL store them as plain integers.
/// </summary>
public abstract class WorkflowsDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<ProcessRow> Processes => Set<ProcessRow>();
    public DbSet<ProcessVersionRow> ProcessVersions => Set<ProcessVersionRow>();
    public DbSet<TaskRow> Tasks => Set<TaskRow>();
    public DbSet<TaskHistoryRow> TaskHistory => Set<TaskHistoryRow>();
    public DbSet<NodeStatRow> NodeStats => Set<NodeStatRow>();
    public DbSet<EnvVarRow> EnvVars => Set<EnvVarRow>();
    public DbSet<NodeSumRow> NodeSums => Set<NodeSumRow>();

    /// <summary>
    /// Tasks in each node as the counters count them (all but test tasks: a final node keeps the tasks
    /// that ended there until they are pruned); every process, or one.
    /// </summary>
    internal Task<List<TasksInNode>> CountTasksInNodesAsync(long? convId, CancellationToken cancel) =>
        Tasks.AsNoTracking().Where(t => t.Test == null && (convId == null || t.ConvId == convId))
            .GroupBy(t => new { t.ConvId, t.NodeId }).Select(g => new TasksInNode(g.Key.ConvId, g.Key.NodeId, g.LongCount()))
            .ToListAsync(cancel);

    /// <summary>Totals entered/left of each node, the rows of every engine node added up; every process, or one.</summary>
    internal Task<List<NodeTotals>> NodeTotalsAsync(long? convId, CancellationToken cancel) =>
        NodeStats.AsNoTracking().Where(s => convId == null || s.ConvId == convId)
            .GroupBy(s => new { s.ConvId, s.NodeId }).Select(g => new NodeTotals(g.Key.ConvId, g.Key.NodeId, g.Sum(s => s.Entered), g.Sum(s => s.LeftCount)))
            .ToListAsync(cancel);

    /// <summary>
    /// The sums of sum nodes, the rows of every engine node added up; every process, or one. Added here,
    /// not in SQL: SQLite keeps them as decimal text.
    /// </summary>
    internal async Task<List<SumTotal>> SumTotalsAsync(long? convId, CancellationToken cancel) =>
        [.. (await NodeSums.AsNoTracking().Where(s => convId == null || s.ConvId == convId).ToListAsync(cancel))
            .GroupBy(s => (s.ConvId, s.NodeId, s.Name)).Select(g => new SumTotal(g.Key.ConvId, g.Key.NodeId, g.Key.Name, g.Sum(s => s.Value)))];

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ProcessRow>(e =>
        {
            e.ToTable("processes");
            e.HasKey(p => p.ConvId);
            e.Property(p => p.ConvId).ValueGeneratedNever();
            e.HasIndex(p => p.Alias).IsUnique();
        });
        model.Entity<ProcessVersionRow>(e =>
        {
            e.ToTable("process_versions");
            e.HasKey(v => new { v.ConvId, v.Version });
        });
        model.Entity<TaskRow>(e =>
        {
            e.ToTable("tasks");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).ValueGeneratedNever();
            e.HasIndex(t => new { t.ConvId, t.NodeId });
            e.HasIndex(t => new { t.ConvId, t.Ref }).IsUnique().HasFilter("ref IS NOT NULL AND status <> 'finished'");
        });
        model.Entity<TaskHistoryRow>(e =>
        {
            e.ToTable("task_history");
            e.HasKey(h => new { h.TaskId, h.Id });
            e.Property(h => h.Id).ValueGeneratedNever();
        });
        model.Entity<EnvVarRow>(e =>
        {
            e.ToTable("env_vars");
            e.HasKey(v => v.Name);
        });
        model.Entity<NodeSumRow>(e =>
        {
            e.ToTable("node_sums");
            e.HasKey(s => new { s.ConvId, s.NodeId, s.Name, s.Owner });
        });
        model.Entity<NodeStatRow>(e =>
        {
            e.ToTable("node_stats");
            e.HasKey(s => new { s.ConvId, s.NodeId, s.Owner });
        });

        // Columns are the properties' names in snake case (conv_id, created_at…), as the migrations write them.
        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
    }
}

public sealed class ProcessRow
{
    public long ConvId { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Alias { get; set; }
    public string Status { get; set; } = Runtime.ProcessStatuses.Active;
    public string Hash { get; set; } = "";
    public int Version { get; set; }
    public long CreatedAt { get; set; }
    public long ChangedAt { get; set; }
}

public sealed class ProcessVersionRow
{
    public long ConvId { get; set; }
    public int Version { get; set; }
    public string Definition { get; set; } = "";
    public long CreatedAt { get; set; }
}

public sealed class TaskRow
{
    public long Id { get; set; }
    public long ConvId { get; set; }
    public int Version { get; set; }
    public string? Ref { get; set; }
    public string NodeId { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Result { get; set; }
    public string Data { get; set; } = "{}";
    public string? WaitKind { get; set; }
    public string? WaitKey { get; set; }
    public long? WakeAt { get; set; }
    public long? TimeoutAt { get; set; }
    public string? Visits { get; set; }
    public long? ReplyTo { get; set; }
    public int Depth { get; set; }
    public long CreatedAt { get; set; }
    public long ChangedAt { get; set; }
    /// <summary>The node that moves the task (see <see cref="NodeMembership"/>); 0 on a single node.</summary>
    public long Owner { get; set; }
    /// <summary>A test task's run (<see cref="TestRuns.TestRun"/> as JSON); null for every other task.</summary>
    public string? Test { get; set; }
}

public sealed class TaskHistoryRow
{
    public long Id { get; set; }
    public long TaskId { get; set; }
    public long At { get; set; }
    public string Steps { get; set; } = "[]";
}

/// <summary>
/// Totals entered/left of a node as one engine node has committed them: each engine node adds to rows of
/// its own (<see cref="Owner"/>), so no row is shared by two nodes' commits; a node's totals are the sum
/// of its rows (<see cref="WorkflowsDb.NodeTotalsAsync"/>).
/// </summary>
public sealed class NodeStatRow
{
    public long ConvId { get; set; }
    public string NodeId { get; set; } = "";
    /// <summary>The engine node whose commits add to this row (<see cref="NodeMembership.NodeId"/>; 0 on a single node).</summary>
    public long Owner { get; set; }
    public long Entered { get; set; }
    public long LeftCount { get; set; }
}

/// <summary>A sum node's running sum as one engine node has committed it (written only by the group commit, as deltas; per engine node as <see cref="NodeStatRow"/>).</summary>
public sealed class NodeSumRow
{
    public long ConvId { get; set; }
    public string NodeId { get; set; } = "";
    public string Name { get; set; } = "";
    public long Owner { get; set; }
    public decimal Value { get; set; }
}

/// <summary>An environment variable; a secret's value is only read by the engine, never shown.</summary>
public sealed class EnvVarRow
{
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
    public bool Secret { get; set; }
    public long UpdatedAt { get; set; }
}

internal sealed record TasksInNode(long ConvId, string NodeId, long Count);

internal sealed record NodeTotals(long ConvId, string NodeId, long Entered, long Left);

internal sealed record SumTotal(long ConvId, string NodeId, string Name, decimal Value);
