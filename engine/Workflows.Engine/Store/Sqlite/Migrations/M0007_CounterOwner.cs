using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Sqlite.Migrations;

/// <summary>
/// Counter and sum rows keyed by the engine node that writes them too (PostgreSQL's P0006): on SQLite
/// always the one node, 0, so the statements are the same. SQLite cannot change a primary key in
/// place: the tables are copied, their counts with them.
/// </summary>
[DbContext(typeof(SqliteDb))]
[Migration("20261203190007_CounterOwner")]
public sealed class M0007_CounterOwner : Migration
{
    protected override void Up(MigrationBuilder b) => b.Sql("""
        CREATE TABLE node_stats_owned (conv_id INTEGER NOT NULL, node_id TEXT NOT NULL, owner INTEGER NOT NULL, entered INTEGER NOT NULL, left_count INTEGER NOT NULL,
          CONSTRAINT pk_node_stats PRIMARY KEY (conv_id, node_id, owner));
        INSERT INTO node_stats_owned (conv_id, node_id, owner, entered, left_count) SELECT conv_id, node_id, 0, entered, left_count FROM node_stats;
        DROP TABLE node_stats;
        ALTER TABLE node_stats_owned RENAME TO node_stats;
        CREATE TABLE node_sums_owned (conv_id INTEGER NOT NULL, node_id TEXT NOT NULL, name TEXT NOT NULL, owner INTEGER NOT NULL, value TEXT NOT NULL,
          CONSTRAINT pk_node_sums PRIMARY KEY (conv_id, node_id, name, owner));
        INSERT INTO node_sums_owned (conv_id, node_id, name, owner, value) SELECT conv_id, node_id, name, 0, value FROM node_sums;
        DROP TABLE node_sums;
        ALTER TABLE node_sums_owned RENAME TO node_sums;
        """);

    // Every row is owner 0 on SQLite: the copy back is exact.
    protected override void Down(MigrationBuilder b) => b.Sql("""
        CREATE TABLE node_stats_one (conv_id INTEGER NOT NULL, node_id TEXT NOT NULL, entered INTEGER NOT NULL, left_count INTEGER NOT NULL,
          CONSTRAINT pk_node_stats PRIMARY KEY (conv_id, node_id));
        INSERT INTO node_stats_one SELECT conv_id, node_id, entered, left_count FROM node_stats;
        DROP TABLE node_stats;
        ALTER TABLE node_stats_one RENAME TO node_stats;
        CREATE TABLE node_sums_one (conv_id INTEGER NOT NULL, node_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
          CONSTRAINT pk_node_sums PRIMARY KEY (conv_id, node_id, name));
        INSERT INTO node_sums_one SELECT conv_id, node_id, name, value FROM node_sums;
        DROP TABLE node_sums;
        ALTER TABLE node_sums_one RENAME TO node_sums;
        """);
}
