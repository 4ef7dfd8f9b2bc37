using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Postgres.Migrations;

/// <summary>
/// Counter and sum rows per engine node (<c>owner</c>, as on tasks): a group commit adds only to its own
/// node's rows, so commits of different nodes never wait on one row's lock. Reads add the rows of all
/// nodes up; rows there before stay as owner 0 (no node has that id here) and keep counting.
/// </summary>
[DbContext(typeof(PostgresDb))]
[Migration("20261203190006_CounterOwner")]
public sealed class P0006_CounterOwner : Migration
{
    protected override void Up(MigrationBuilder b) => b.Sql("""
        ALTER TABLE node_stats ADD COLUMN owner bigint NOT NULL DEFAULT 0;
        ALTER TABLE node_stats DROP CONSTRAINT pk_node_stats, ADD CONSTRAINT pk_node_stats PRIMARY KEY (conv_id, node_id, owner);
        ALTER TABLE node_sums ADD COLUMN owner bigint NOT NULL DEFAULT 0;
        ALTER TABLE node_sums DROP CONSTRAINT pk_node_sums, ADD CONSTRAINT pk_node_sums PRIMARY KEY (conv_id, node_id, name, owner);
        """);

    protected override void Down(MigrationBuilder b) => b.Sql("""
        CREATE TABLE node_stats_one AS SELECT conv_id, node_id, sum(entered)::bigint AS entered, sum(left_count)::bigint AS left_count FROM node_stats GROUP BY conv_id, node_id;
        CREATE TABLE node_sums_one AS SELECT conv_id, node_id, name, sum(value) AS value FROM node_sums GROUP BY conv_id, node_id, name;
        TRUNCATE node_stats, node_sums;
        ALTER TABLE node_stats DROP CONSTRAINT pk_node_stats, DROP COLUMN owner, ADD CONSTRAINT pk_node_stats PRIMARY KEY (conv_id, node_id);
        ALTER TABLE node_sums DROP CONSTRAINT pk_node_sums, DROP COLUMN owner, ADD CONSTRAINT pk_node_sums PRIMARY KEY (conv_id, node_id, name);
        INSERT INTO node_stats SELECT * FROM node_stats_one;
        INSERT INTO node_sums SELECT * FROM node_sums_one;
        DROP TABLE node_stats_one, node_sums_one;
        """);
}
