using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Workflows.Engine.Store.Sqlite.Migrations;

/// <summary>The first schema (SQLite). Written by hand before the EF design-time tools restored here.</summary>
[DbContext(typeof(SqliteDb))]
[Migration("20261122000001_Initial")]
public sealed class M0001_Initial : Migration
{
    protected override void Up(MigrationBuilder b)
    {
        b.CreateTable("processes", t => new
        {
            conv_id = t.Column<long>(nullable: false),
            title = t.Column<string>(nullable: false),
            description = t.Column<string>(nullable: true),
            alias = t.Column<string>(nullable: true),
            status = t.Column<string>(nullable: false),
            hash = t.Column<string>(nullable: false),
            version = t.Column<int>(nullable: false),
            created_at = t.Column<long>(nullable: false),
            changed_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_processes", x => x.conv_id));
        b.CreateIndex("ix_processes_alias", "processes", "alias", unique: true);

        b.CreateTable("process_versions", t => new
        {
            conv_id = t.Column<long>(nullable: false),
            version = t.Column<int>(nullable: false),
            definition = t.Column<string>(nullable: false),
            created_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_process_versions", x => new { x.conv_id, x.version }));

        b.CreateTable("tasks", t => new
        {
            id = t.Column<long>(nullable: false),
            conv_id = t.Column<long>(nullable: false),
            version = t.Column<int>(nullable: false),
            @ref = t.Column<string>(name: "ref", nullable: true),
            node_id = t.Column<string>(nullable: false),
            status = t.Column<string>(nullable: false),
            result = t.Column<string>(nullable: true),
            data = t.Column<string>(nullable: false),
            wait_kind = t.Column<string>(nullable: true),
            wait_key = t.Column<string>(nullable: true),
            wake_at = t.Column<long>(nullable: true),
            timeout_at = t.Column<long>(nullable: true),
            visits = t.Column<string>(nullable: true),
            reply_to = t.Column<long>(nullable: true),
            depth = t.Column<int>(nullable: false),
            created_at = t.Column<long>(nullable: false),
            changed_at = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_tasks", x => x.id));
        b.CreateIndex("ix_tasks_conv_node", "tasks", ["conv_id", "node_id"]);
        b.CreateIndex("ix_tasks_active_ref", "tasks", ["conv_id", "ref"], unique: true, filter: "ref IS NOT NULL AND status <> 'finished'");
        b.CreateIndex("ix_tasks_status", "tasks", "status", filter: "status <> 'finished'");
        b.CreateIndex("ix_tasks_wake_at", "tasks", "wake_at", filter: "wake_at IS NOT NULL");
        b.CreateIndex("ix_tasks_wait_key", "tasks", "wait_key", filter: "wait_key IS NOT NULL");

        // One row per run of a task's steps, clustered by task: appending is one B-tree insert, and a
        // task's history is one range read. WITHOUT ROWID makes the primary key the table's order.
        b.Sql("CREATE TABLE task_history (task_id INTEGER NOT NULL, id INTEGER NOT NULL, at INTEGER NOT NULL, steps TEXT NOT NULL, CONSTRAINT pk_task_history PRIMARY KEY (task_id, id)) WITHOUT ROWID;");

        b.CreateTable("node_stats", t => new
        {
            conv_id = t.Column<long>(nullable: false),
            node_id = t.Column<string>(nullable: false),
            entered = t.Column<long>(nullable: false),
            left_count = t.Column<long>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_node_stats", x => new { x.conv_id, x.node_id }));
    }

    protected override void Down(MigrationBuilder b)
    {
        b.DropTable("node_stats");
        b.DropTable("task_history");
        b.DropTable("tasks");
        b.DropTable("process_versions");
        b.DropTable("processes");
    }
}
