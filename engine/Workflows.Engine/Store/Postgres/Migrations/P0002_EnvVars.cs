using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Postgres.Migrations;

/// <summary>Environment variables ({{env_var[@name]}}), visible and secret.</summary>
[DbContext(typeof(PostgresDb))]
[Migration("20261203000002_EnvVars")]
public sealed class P0002_EnvVars : Migration
{
    protected override void Up(MigrationBuilder b) =>
        b.Sql("CREATE TABLE env_vars (name text PRIMARY KEY, value text NOT NULL, secret boolean NOT NULL, updated_at bigint NOT NULL);");

    protected override void Down(MigrationBuilder b) => b.Sql("DROP TABLE env_vars;");
}
