using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Workflows.Engine.Store;

/// <summary>
/// The store's schema and queries (EF Core). The hot write path does not go through EF: the
/// <see cref="TaskWriter"/> group-commits task rows with prepared commands on its own connection.
/// Times are unix milliseconds, so both SQLite and PostgreSQL store them as plain integers.
/// </summary>
public sealed class WorkflowsDb(DbContextOptions<WorkflowsDb> options) : DbContext(options)
{
    public DbSet<ProcessRow> Processes => Set<ProcessRow>();
    public DbSet<ProcessVersionRow> ProcessVersions => Set<ProcessVersionRow>();
    public DbSet<TaskRow> Tasks => Set<TaskRow>();
    public DbSet<TaskHistoryRow> TaskHistory => Set<TaskHistoryRow>();
    public DbSet<NodeStatRow> NodeStats => Set<NodeStatRow>();
    public DbSet<UserRow> Users => Set<UserRow>();

    public static void Configure(DbContextOptionsBuilder builder, EngineOptions options)
    {
        if (options.Store.Equals("postgres", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException("The PostgreSQL store arrives with the scale-out work; use Store=sqlite.");
        builder.UseSqlite(options.ConnectionString);
        // Migrations are hand-written (the EF design-time package is not available), so there is no model snapshot to compare.
        builder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ProcessRow>(e =>
        {
            e.ToTable("processes");
            e.HasKey(p => p.ConvId);
            e.Property(p => p.ConvId).HasColumnName("conv_id").ValueGeneratedNever();
            e.Property(p => p.Title).HasColumnName("title");
            e.Property(p => p.Description).HasColumnName("description");
            e.Property(p => p.Alias).HasColumnName("alias");
            e.Property(p => p.Status).HasColumnName("status");
            e.Property(p => p.Hash).HasColumnName("hash");
            e.Property(p => p.Version).HasColumnName("version");
            e.Property(p => p.CreatedAt).HasColumnName("created_at");
            e.Property(p => p.ChangedAt).HasColumnName("changed_at");
            e.HasIndex(p => p.Alias).IsUnique();
        });
        model.Entity<ProcessVersionRow>(e =>
        {
            e.ToTable("process_versions");
            e.HasKey(v => new { v.ConvId, v.Version });
            e.Property(v => v.ConvId).HasColumnName("conv_id");
            e.Property(v => v.Version).HasColumnName("version");
            e.Property(v => v.Definition).HasColumnName("definition");
            e.Property(v => v.CreatedAt).HasColumnName("created_at");
        });
        model.Entity<TaskRow>(e =>
        {
            e.ToTable("tasks");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(t => t.ConvId).HasColumnName("conv_id");
            e.Property(t => t.Version).HasColumnName("version");
            e.Property(t => t.Ref).HasColumnName("ref");
            e.Property(t => t.NodeId).HasColumnName("node_id");
            e.Property(t => t.Status).HasColumnName("status");
            e.Property(t => t.Result).HasColumnName("result");
            e.Property(t => t.Data).HasColumnName("data");
            e.Property(t => t.WaitKind).HasColumnName("wait_kind");
            e.Property(t => t.WaitKey).HasColumnName("wait_key");
            e.Property(t => t.WakeAt).HasColumnName("wake_at");
            e.Property(t => t.TimeoutAt).HasColumnName("timeout_at");
            e.Property(t => t.Visits).HasColumnName("visits");
            e.Property(t => t.ReplyTo).HasColumnName("reply_to");
            e.Property(t => t.Depth).HasColumnName("depth");
            e.Property(t => t.CreatedAt).HasColumnName("created_at");
            e.Property(t => t.ChangedAt).HasColumnName("changed_at");
            e.HasIndex(t => new { t.ConvId, t.NodeId });
            e.HasIndex(t => new { t.ConvId, t.Ref }).IsUnique().HasFilter("ref IS NOT NULL AND status <> 'finished'");
        });
        model.Entity<TaskHistoryRow>(e =>
        {
            e.ToTable("task_history");
            e.HasKey(h => new { h.TaskId, h.Id });
            e.Property(h => h.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(h => h.TaskId).HasColumnName("task_id");
            e.Property(h => h.At).HasColumnName("at");
            e.Property(h => h.Steps).HasColumnName("steps");
        });
        model.Entity<UserRow>(e =>
        {
            e.ToTable("users");
            e.HasKey(u => u.Login);
            e.Property(u => u.Login).HasColumnName("login");
            e.Property(u => u.PasswordHash).HasColumnName("password_hash");
            e.Property(u => u.Role).HasColumnName("role");
            e.Property(u => u.ApiKeyHash).HasColumnName("api_key_hash");
            e.Property(u => u.ApiSecret).HasColumnName("api_secret");
            e.Property(u => u.CreatedAt).HasColumnName("created_at");
            e.HasIndex(u => u.ApiKeyHash).IsUnique();
        });
        model.Entity<NodeStatRow>(e =>
        {
            e.ToTable("node_stats");
            e.HasKey(s => new { s.ConvId, s.NodeId });
            e.Property(s => s.ConvId).HasColumnName("conv_id");
            e.Property(s => s.NodeId).HasColumnName("node_id");
            e.Property(s => s.Entered).HasColumnName("entered");
            e.Property(s => s.Left).HasColumnName("left_count");
        });
    }
}

public sealed class ProcessRow
{
    public long ConvId { get; set; }
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string? Alias { get; set; }
    public string Status { get; set; } = "active";
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
}

public sealed class TaskHistoryRow
{
    public long Id { get; set; }
    public long TaskId { get; set; }
    public long At { get; set; }
    public string Steps { get; set; } = "[]";
}

/// <summary>A person or script allowed into the designer and the management API.</summary>
public sealed class UserRow
{
    public string Login { get; set; } = "";
    /// <summary>ASP.NET Core Identity's password hash (PBKDF2); null for a script-only user.</summary>
    public string? PasswordHash { get; set; }
    /// <summary>admin, editor or viewer.</summary>
    public string Role { get; set; } = "viewer";
    /// <summary>SHA-256 of the API key (the key itself is shown once).</summary>
    public string? ApiKeyHash { get; set; }
    /// <summary>The signed API's secret, encrypted with Data Protection (it must be readable to check signatures).</summary>
    public string? ApiSecret { get; set; }
    public long CreatedAt { get; set; }
}

public sealed class NodeStatRow
{
    public long ConvId { get; set; }
    public string NodeId { get; set; } = "";
    public long Entered { get; set; }
    public long Left { get; set; }
}
