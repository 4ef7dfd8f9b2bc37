using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Postgres.Migrations;

/// <summary>
/// The engine's schema on PostgreSQL, as SQLite has it after its first migrations (the server's users
/// table is the server's: Workflows.Server/Auth/Migrations). Hand-written: the
/// partial indexes and the storage settings say what matters here more plainly than generated code.
/// </summary>
[DbContext(typeof(PostgresDb))]
[Migration("20261203000001_Initial")]
public sealed class P0001_Initial : Migration
{
    protected override void Up(MigrationBuilder b)
    {
        b.Sql("""
            CREATE TABLE processes (
              conv_id bigint PRIMARY KEY, title text NOT NULL, description text, alias text, status text NOT NULL,
              hash text NOT NULL, version integer NOT NULL, created_at bigint NOT NULL, changed_at bigint NOT NULL);
            CREATE UNIQUE INDEX ix_processes_alias ON processes (alias);

            CREATE TABLE process_versions (
              conv_id bigint NOT NULL, version integer NOT NULL, definition text NOT NULL, created_at bigint NOT NULL,
              CONSTRAINT pk_process_versions PRIMARY KEY (conv_id, version));

            -- A task row is updated at every commit point: room on each page (fillfactor) keeps those
            -- updates on the page (HOT) when no indexed column changes.
            CREATE TABLE tasks (
              id bigint PRIMARY KEY, conv_id bigint NOT NULL, version integer NOT NULL, ref text, node_id text NOT NULL,
              status text NOT NULL, result text, data text NOT NULL, wait_kind text, wait_key text, wake_at bigint,
              timeout_at bigint, visits text, reply_to bigint, depth integer NOT NULL, created_at bigint NOT NULL,
              changed_at bigint NOT NULL) WITH (fillfactor = 80);
            CREATE INDEX ix_tasks_conv_node ON tasks (conv_id, node_id);
            CREATE UNIQUE INDEX ix_tasks_active_ref ON tasks (conv_id, ref) WHERE ref IS NOT NULL AND status <> 'finished';
            CREATE INDEX ix_tasks_status ON tasks (status) WHERE status <> 'finished';
            CREATE INDEX ix_tasks_wake_at ON tasks (wake_at, id) WHERE wake_at IS NOT NULL;
            CREATE INDEX ix_tasks_wait_key ON tasks (wait_key) WHERE wait_key IS NOT NULL;

            CREATE TABLE task_history (
              task_id bigint NOT NULL, id bigint NOT NULL, at bigint NOT NULL, steps text NOT NULL,
              CONSTRAINT pk_task_history PRIMARY KEY (task_id, id));

            CREATE TABLE node_stats (
              conv_id bigint NOT NULL, node_id text NOT NULL, entered bigint NOT NULL, left_count bigint NOT NULL,
              CONSTRAINT pk_node_stats PRIMARY KEY (conv_id, node_id));
            """);
    }

    protected override void Down(MigrationBuilder b) =>
        b.Sql("DROP TABLE node_stats, task_history, tasks, process_versions, processes;");
}
