using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Sqlite.Migrations;

/// <summary>Environment variables ({{env_var[@name]}}), visible and secret.</summary>
[DbContext(typeof(SqliteDb))]
[Migration("20261203000003_EnvVars")]
public sealed class M0003_EnvVars : Migration
{
    protected override void Up(MigrationBuilder b) =>
        b.CreateTable("env_vars", t => new
        {
            name = t.Column<string>(nullable: false),
            value = t.Column<string>(nullable: false),
            secret = t.Column<bool>(nullable: false),
            updated_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_env_vars", x => x.name));

    protected override void Down(MigrationBuilder b) => b.DropTable("env_vars");
}
