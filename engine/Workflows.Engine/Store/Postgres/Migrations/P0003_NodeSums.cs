using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Postgres.Migrations;

/// <summary>The running sums of sum nodes, in numeric: exact, and added in the database.</summary>
[DbContext(typeof(PostgresDb))]
[Migration("20261203140003_NodeSums")]
public sealed class P0003_NodeSums : Migration
{
    protected override void Up(MigrationBuilder b) =>
        b.Sql("CREATE TABLE node_sums (conv_id bigint NOT NULL, node_id text NOT NULL, name text NOT NULL, value numeric NOT NULL, CONSTRAINT pk_node_sums PRIMARY KEY (conv_id, node_id, name));");

    protected override void Down(MigrationBuilder b) => b.Sql("DROP TABLE node_sums;");
}
