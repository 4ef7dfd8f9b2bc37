using System.Data.Common;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Engine;
using Workflows.Engine.Store;
using Workflows.Tests.Support;

namespace Workflows.Tests.Server.Auth;

/// <summary>
/// The sign-in's users table belongs to the server (Auth/AccountsDb, its own migrations), not to the
/// engine's schema; a database whose users table the engine's migrations made keeps its users.
/// </summary>
public sealed class UsersTableTests(string store) : OnBothStores(store)
{
    [Test]
    public async Task The_engine_s_schema_has_no_users_table_and_the_server_makes_it()
    {
        await using var empty = await EmptyStore.CreateAsync(Store);
        var (options, folder) = (empty.Options, empty.Folder);
        await using (var provider = StoreProvider.For(options))
        {
            await provider.MigrateAsync(CancellationToken.None);
            Assert.That(UsersTableExists(provider), Is.False, "the engine's migrations make no users table");
        }
        await using var server = await StartOn(options, folder);
        Assert.That(UsersTableExists(server.Services.GetRequiredService<StoreProvider>()), Is.True);
        using var me = await server.Http.GetAsync("/api/auth/me");
        Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the admin was made in the server's table");
    }

    [Test]
    public async Task Users_made_while_the_engine_owned_the_table_still_sign_in_after_the_upgrade()
    {
        await using var empty = await EmptyStore.CreateAsync(Store);
        var (options, folder) = (empty.Options, empty.Folder);
        // The database as an older server left it: the engine's schema, and the users table its
        // migrations made (the same DDL), holding an admin with a password and an API key.
        await using (var provider = StoreProvider.For(options))
        {
            await provider.MigrateAsync(CancellationToken.None);
            using var connection = provider.OpenConnection();
            StoreProvider.Exec(connection, Store == "sqlite"
                ? """
                  CREATE TABLE "users" ("login" TEXT NOT NULL CONSTRAINT "pk_users" PRIMARY KEY, "password_hash" TEXT NULL, "role" TEXT NOT NULL,
                    "api_key_hash" TEXT NULL, "api_secret" TEXT NULL, "created_at" INTEGER NOT NULL);
                  CREATE UNIQUE INDEX "ix_users_api_key_hash" ON "users" ("api_key_hash");
                  INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ('20261122000002_Users', '10.0.0');
                  """
                : """
                  CREATE TABLE users (
                    login text PRIMARY KEY, password_hash text, role text NOT NULL, api_key_hash text, api_secret text, created_at bigint NOT NULL);
                  CREATE UNIQUE INDEX ix_users_api_key_hash ON users (api_key_hash);
                  """);
            var hash = new PasswordHasher<string>().HashPassword("old-admin", "an old password");
            var keyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("wfk_old_admin_key")));
            StoreProvider.Exec(connection, $"INSERT INTO users (login, password_hash, role, api_key_hash, api_secret, created_at) VALUES ('old-admin', '{hash}', 'admin', '{keyHash}', NULL, 1700000000000)");
        }

        await using var server = await StartOn(options, folder);
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        using (var login = await anonymous.PostJsonAsync("/api/auth/login", """{"login":"old-admin","password":"an old password"}"""))
            Assert.That(login.StatusCode, Is.EqualTo(HttpStatusCode.OK), await login.Content.ReadAsStringAsync());
        using var byKey = new HttpClient { BaseAddress = server.BaseAddress };
        byKey.DefaultRequestHeaders.Add("X-Api-Key", "wfk_old_admin_key");
        var me = JsonNode.Parse(await byKey.GetStringAsync("/api/auth/me"))!;
        Assert.That((string?)me["login"], Is.EqualTo("old-admin"));
        Assert.That((string?)me["role"], Is.EqualTo("admin"));
        var users = JsonNode.Parse(await byKey.GetStringAsync("/api/users"))!.AsArray().Select(u => (string?)u!["login"]).ToList();
        Assert.That(users, Is.EqualTo(new[] { "old-admin" }), "the old users are kept, and no first admin is made beside them");
    }

    static Task<TestServer> StartOn(EngineOptions options, string folder) => StartedAsync(new TestServer(new()
    {
        ["Workflows:Store"] = options.Store,
        ["Workflows:ConnectionString"] = options.ConnectionString,
        ["Workflows:Connectors:KeysFolder"] = Path.Combine(folder, "keys"),
    }, folder: folder));

    static async Task<TestServer> StartedAsync(TestServer server)
    {
        await server.StartAsync();
        return server;
    }

    static bool UsersTableExists(StoreProvider provider)
    {
        using var connection = provider.OpenConnection();
        try
        {
            StoreProvider.Exec(connection, "SELECT COUNT(*) FROM users");
            return true;
        }
        catch (DbException) { return false; }
    }
}
