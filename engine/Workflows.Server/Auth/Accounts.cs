using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Workflows.Engine.Runtime;

namespace Workflows.Server.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Editor = "editor";
    public const string Viewer = "viewer";
    public static readonly string[] All = [Admin, Editor, Viewer];
}

/// <summary>The keys a new or re-keyed user gets, shown once.</summary>
public sealed record IssuedKeys(string ApiKey, string ApiSecret);

/// <summary>
/// Users: passwords hashed with ASP.NET Core Identity's hasher, API keys kept as SHA-256 hashes, and
/// the signed API's secret encrypted with Data Protection. The first admin is made at first start.
/// </summary>
public sealed class Accounts(IDbContextFactory<AccountsDb> dbs, IDataProtectionProvider protection, IClock clock, IConfiguration config, ILogger<Accounts> log)
{
    readonly PasswordHasher<string> _hasher = new();
    readonly IDataProtector _secrets = protection.CreateProtector("Workflows.ApiSecrets");

    /// <summary>Creates or migrates the server's tables (after the engine has migrated its own).</summary>
    public async Task MigrateAsync(CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        await db.Database.MigrateAsync(cancel);
    }

    /// <summary>
    /// First start: an admin from configuration (Workflows:Admin:Login/Password/ApiKey), or with a
    /// one-time password printed to the log. A configured API key is (re)applied at every start.
    /// </summary>
    public async Task EnsureAdminAsync(CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var login = config["Workflows:Admin:Login"] ?? "admin";
        var configuredKey = config["Workflows:Admin:ApiKey"];
        if (!await db.Users.AnyAsync(cancel))
        {
            var password = config["Workflows:Admin:Password"];
            var printed = password is null;
            password ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y');
            db.Users.Add(new UserRow
            {
                Login = login, Role = Roles.Admin, PasswordHash = _hasher.HashPassword(login, password),
                CreatedAt = clock.UtcNow.ToUnixTimeMilliseconds(),
            });
            await db.SaveChangesAsync(cancel);
            if (printed)
                log.LogWarning("First start: created the admin user '{Login}' with the one-time password {Password} — sign in to the designer and change it, or set Workflows:Admin:Password", login, password);
        }
        if (configuredKey is { Length: > 0 } && await db.Users.SingleOrDefaultAsync(u => u.Login == login, cancel) is { } admin)
        {
            admin.ApiKeyHash = HashKey(configuredKey);
            await db.SaveChangesAsync(cancel);
        }
    }

    public async Task<UserRow?> CheckPasswordAsync(string login, string password, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Login == login, cancel);
        if (user?.PasswordHash is null)
        {
            _hasher.HashPassword(login, password); // same work either way: no timing hint that the login exists
            return null;
        }
        return _hasher.VerifyHashedPassword(login, user.PasswordHash, password) == PasswordVerificationResult.Failed ? null : user;
    }

    public async Task<UserRow?> FindByApiKeyAsync(string key, CancellationToken cancel = default)
    {
        var hash = HashKey(key);
        await using var db = await dbs.CreateDbContextAsync(cancel);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.ApiKeyHash == hash, cancel);
    }

    public async Task<UserRow?> FindAsync(string login, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Login == login, cancel);
    }

    public string? SecretOf(UserRow user) => user.ApiSecret is null ? null : _secrets.Unprotect(user.ApiSecret);

    public async Task<List<UserRow>> ListAsync(CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        return await db.Users.AsNoTracking().OrderBy(u => u.Login).ToListAsync(cancel);
    }

    /// <summary>Creates a user with fresh keys; the keys are returned once and never shown again.</summary>
    public async Task<IssuedKeys> CreateAsync(string login, string? password, string role, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        if (await db.Users.AnyAsync(u => u.Login == login, cancel)) throw EngineException.Conflict($"user '{login}' already exists");
        var keys = NewKeys();
        db.Users.Add(new UserRow
        {
            Login = login, Role = role, PasswordHash = password is null ? null : _hasher.HashPassword(login, password),
            ApiKeyHash = HashKey(keys.ApiKey), ApiSecret = _secrets.Protect(keys.ApiSecret), CreatedAt = clock.UtcNow.ToUnixTimeMilliseconds(),
        });
        await db.SaveChangesAsync(cancel);
        return keys;
    }

    /// <summary>Rotation: new API key and secret; the old ones stop working at once.</summary>
    public async Task<IssuedKeys> RekeyAsync(string login, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Login == login, cancel) ?? throw EngineException.NotFound($"user '{login}' does not exist");
        var keys = NewKeys();
        user.ApiKeyHash = HashKey(keys.ApiKey);
        user.ApiSecret = _secrets.Protect(keys.ApiSecret);
        await db.SaveChangesAsync(cancel);
        return keys;
    }

    public async Task SetPasswordAsync(string login, string password, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Login == login, cancel) ?? throw EngineException.NotFound($"user '{login}' does not exist");
        user.PasswordHash = _hasher.HashPassword(login, password);
        await db.SaveChangesAsync(cancel);
    }

    public async Task DeleteAsync(string login, CancellationToken cancel = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancel);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Login == login, cancel) ?? throw EngineException.NotFound($"user '{login}' does not exist");
        if (user.Role == Roles.Admin && await db.Users.CountAsync(u => u.Role == Roles.Admin, cancel) == 1)
            throw EngineException.Conflict("the last admin cannot be deleted");
        db.Users.Remove(user);
        await db.SaveChangesAsync(cancel);
    }

    static IssuedKeys NewKeys() => new("wfk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));

    static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
