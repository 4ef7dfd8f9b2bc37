using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Postgres.Migrations;

/// <summary>Test tasks: their run (debug stops, pinned answers) as JSON; null for every other task.</summary>
[DbContext(typeof(PostgresDb))]
[Migration("20261203160005_TestTasks")]
public sealed class P0005_TestTasks : Migration
{
    protected override void Up(MigrationBuilder b) => b.Sql("ALTER TABLE tasks ADD COLUMN test text;");

    protected override void Down(MigrationBuilder b) => b.Sql("ALTER TABLE tasks DROP COLUMN test;");
}
