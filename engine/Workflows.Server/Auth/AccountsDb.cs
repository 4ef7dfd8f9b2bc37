using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Store;

namespace Workflows.Server.Auth;

/// <summary>
/// The server's own tables on the engine's database (SQLite or PostgreSQL, whichever the engine
/// uses): the users of the sign-in. The engine knows nothing of them; their migrations
/// (Auth/Migrations) are recorded in <see cref="HistoryTable"/>, apart from the engine's.
/// </summary>
public sealed class AccountsDb(DbContextOptions<AccountsDb> options) : DbContext(options)
{
    public const string HistoryTable = "__server_migrations";

    public DbSet<UserRow> Users => Set<UserRow>();

    /// <summary>Registers the context factory on the engine's store.</summary>
    public static void Add(IServiceCollection services) =>
        services.AddDbContextFactory<AccountsDb>((sp, builder) => sp.GetRequiredService<StoreProvider>().UseFor(builder, HistoryTable));

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<UserRow>(e =>
        {
            e.ToTable("users");
            e.HasKey(u => u.Login);
            e.HasIndex(u => u.ApiKeyHash).IsUnique();
            foreach (var property in e.Metadata.GetProperties())
                property.SetColumnName(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
        });
    }
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
