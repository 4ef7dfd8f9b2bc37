using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Sqlite.Migrations;

/// <summary>Users with roles, API keys and the signed API's secrets.</summary>
[DbContext(typeof(SqliteDb))]
[Migration("20261122000002_Users")]
public sealed class M0002_Users : Migration
{
    protected override void Up(MigrationBuilder b)
    {
        b.CreateTable("users", t => new
        {
            login = t.Column<string>(nullable: false),
            password_hash = t.Column<string>(nullable: true),
            role = t.Column<string>(nullable: false),
            api_key_hash = t.Column<string>(nullable: true),
            api_secret = t.Column<string>(nullable: true),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_users", x => x.login));
        b.CreateIndex("ix_users_api_key_hash", "users", "api_key_hash", unique: true);
    }

    protected override void Down(MigrationBuilder b) => b.DropTable("users");
}
