using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Postgres.Migrations;

/// <summary>
/// Several engine nodes on one database: the nodes and their liveness, the owner of each task, and
/// the Data Protection key ring all nodes share (see docs/architecture.md, "Several nodes").
/// </summary>
[DbContext(typeof(PostgresDb))]
[Migration("20261203150004_Nodes")]
public sealed class P0004_Nodes : Migration
{
    protected override void Up(MigrationBuilder b)
    {
        b.Sql("""
            CREATE SEQUENCE node_ids;
            -- heartbeat_at is the database's clock, so nodes' clocks never decide who is dead.
            CREATE TABLE nodes (
              id bigint PRIMARY KEY, name text NOT NULL, started_at timestamptz NOT NULL DEFAULT now(),
              heartbeat_at timestamptz NOT NULL DEFAULT now(), stopped boolean NOT NULL DEFAULT false, taken_by bigint);
            ALTER TABLE tasks ADD COLUMN owner bigint NOT NULL DEFAULT 0;
            CREATE INDEX ix_tasks_owner ON tasks (owner) WHERE status <> 'finished';
            CREATE TABLE data_protection_keys (name text PRIMARY KEY, xml text NOT NULL);
            """);
    }

    protected override void Down(MigrationBuilder b) =>
        b.Sql("DROP TABLE data_protection_keys; DROP INDEX ix_tasks_owner; ALTER TABLE tasks DROP COLUMN owner; DROP TABLE nodes; DROP SEQUENCE node_ids;");
}
