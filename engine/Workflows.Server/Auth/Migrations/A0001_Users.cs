using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Server.Auth.Migrations;

/// <summary>
/// Users with roles, API keys and the signed API's secrets. The same SQL on SQLite and PostgreSQL.
/// "If not exists": before the server owned it, the engine's migrations made this very table, and an
/// upgraded database keeps it with its users.
/// </summary>
[DbContext(typeof(AccountsDb))]
[Migration("20261203000101_Users")]
public sealed class A0001_Users : Migration
{
    protected override void Up(MigrationBuilder b) => b.Sql("""
        CREATE TABLE IF NOT EXISTS users (
          login text NOT NULL PRIMARY KEY, password_hash text, role text NOT NULL, api_key_hash text, api_secret text, created_at bigint NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS ix_users_api_key_hash ON users (api_key_hash);
        """);

    protected override void Down(MigrationBuilder b) => b.Sql("DROP TABLE users;");
}
