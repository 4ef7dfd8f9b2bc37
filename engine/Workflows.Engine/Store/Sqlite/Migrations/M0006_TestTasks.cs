using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Sqlite.Migrations;

/// <summary>Test tasks: their run (debug stops, pinned answers) as JSON; null for every other task.</summary>
[DbContext(typeof(SqliteDb))]
[Migration("20261203160006_TestTasks")]
public sealed class M0006_TestTasks : Migration
{
    protected override void Up(MigrationBuilder b) => b.Sql("ALTER TABLE tasks ADD COLUMN test TEXT;");

    protected override void Down(MigrationBuilder b) => b.DropColumn("test", "tasks");
}
