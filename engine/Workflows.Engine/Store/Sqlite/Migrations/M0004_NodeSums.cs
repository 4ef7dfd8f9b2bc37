using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Sqlite.Migrations;

/// <summary>The running sums of sum nodes; values are decimal text, added exactly by the writer.</summary>
[DbContext(typeof(SqliteDb))]
[Migration("20261203140004_NodeSums")]
public sealed class M0004_NodeSums : Migration
{
    protected override void Up(MigrationBuilder b) =>
        b.Sql("CREATE TABLE node_sums (conv_id INTEGER NOT NULL, node_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, CONSTRAINT pk_node_sums PRIMARY KEY (conv_id, node_id, name));");

    protected override void Down(MigrationBuilder b) => b.DropTable("node_sums");
}
