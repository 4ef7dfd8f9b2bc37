using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Sqlite.Migrations;

/// <summary>The owner column every store has (on SQLite always the one node, 0), so the writer's statements are the same.</summary>
[DbContext(typeof(SqliteDb))]
[Migration("20261203150005_Owner")]
public sealed class M0005_Owner : Migration
{
    protected override void Up(MigrationBuilder b) => b.Sql("ALTER TABLE tasks ADD COLUMN owner INTEGER NOT NULL DEFAULT 0;");

    protected override void Down(MigrationBuilder b) => b.DropColumn("owner", "tasks");
}
