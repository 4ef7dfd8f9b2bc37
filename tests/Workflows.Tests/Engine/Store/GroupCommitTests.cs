using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Workflows.Engine;
using Workflows.Engine.Store;
using Workflows.Tests.Support;

namespace Workflows.Tests.Engine.Store;

/// <summary>
/// One group commit of the store's writer, below the runner: a task another node has moved since is
/// left out and reported lost while the rest is committed. On PostgreSQL the first try is one implicit transaction that fails as a whole when
/// anything is missing, so these cases take its second path.
/// </summary>
public sealed class GroupCommitTests(string store) : OnBothStores(store)
{
    internal static TaskWrite Write(long id, long owner, string nodeId, bool isNew, long historyId) => new(
        new TaskRow { Id = id, ConvId = 5, NodeId = nodeId, Status = "processing", Data = $$"""{"n":{{id}}}""", Owner = owner, CreatedAt = 1, ChangedAt = 2 },
        isNew, $$"""[{"node":"{{nodeId}}"}]""", 2, historyId);

    /// <summary>Migrates the store and joins one engine node to it.</summary>
    internal static async Task<NodeMembership> Joined(StoreProvider provider)
    {
        await provider.MigrateAsync(CancellationToken.None);
        var node = provider.CreateMembership(NullLoggerFactory.Instance);
        await node.JoinAsync("test", CancellationToken.None);
        return node;
    }

    internal static List<(long Id, string NodeId, long History)> Rows(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT t.id, t.node_id, (SELECT count(*) FROM task_history h WHERE h.task_id = t.id) FROM tasks t ORDER BY t.id";
        using var reader = command.ExecuteReader();
        var rows = new List<(long, string, long)>();
        while (reader.Read()) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
        return rows;
    }

    [Test]
    public async Task A_task_another_node_moved_is_left_out_and_the_rest_is_committed()
    {
        // The provider is disposed (its connections closed) before the store is dropped.
        await using var empty = await EmptyStore.CreateAsync(Store);
        await using var provider = StoreProvider.For(empty.Options);
        var node = await GroupCommitTests.Joined(provider);
        using var connection = provider.OpenConnection();
        using (var writer = provider.OpenBatchWriter(node))
        {
            var lost = new List<TaskWrite>();
            writer.Commit([Write(1, node.NodeId, "start", true, 11), Write(2, node.NodeId, "start", true, 12)], [], lost);
            Assert.That(lost, Is.Empty);

            // Task 1 was woken on another node, which owns it now.
            StoreProvider.Exec(connection, $"UPDATE tasks SET owner = {node.NodeId + 1000} WHERE id = 1");
            var first = Write(1, node.NodeId, "next", false, 21);
            writer.Commit([first, Write(2, node.NodeId, "next", false, 22)], [], lost);
            Assert.That(lost, Is.EqualTo(new[] { first }), "the write of the task the other node owns is reported lost");
        }
        Assert.That(Rows(connection), Is.EqualTo(new[] { (1L, "start", 1L), (2L, "next", 2L) }),
            "task 1 keeps the other node's row and no history of the lost write; task 2 and its history are committed");
    }

    [Test]
    public async Task A_commit_of_many_tasks_writes_every_column_history_and_counter_as_given()
    {
        await using var empty = await EmptyStore.CreateAsync(Store);
        await using var provider = StoreProvider.For(empty.Options);
        var node = await GroupCommitTests.Joined(provider);
        // Every column set on one task, every nullable one null on another (PostgreSQL sends each column of a batch as one array).
        var full = new TaskRow
        {
            Id = 1, ConvId = 5, Version = 3, Ref = "order-1", NodeId = "wait", Status = "waiting", Result = "ok", Data = """{"phone":"7900"}""",
            WaitKind = "callback", WaitKey = "k-1", WakeAt = 1_700_000_000_123, TimeoutAt = 1_700_000_060_000, Visits = """{"wait":2}""",
            ReplyTo = 77, Depth = 2, CreatedAt = 10, ChangedAt = 11, Owner = node.NodeId, Test = """{"run":1}""",
        };
        var bare = new TaskRow { Id = 2, ConvId = 5, NodeId = "start", Status = "processing", Data = "{}", CreatedAt = 12, ChangedAt = 13, Owner = node.NodeId };
        var saved = Write(3, node.NodeId, "start", true, 13);
        var changed = Write(3, node.NodeId, "next", false, 23); // saved and changed again before the writer took either
        using (var writer = provider.OpenBatchWriter(node))
        {
            writer.Commit([new TaskWrite(full, true, """[{"node":"wait"}]""", 11, 11), new TaskWrite(bare, true, null, 0, 0), saved, changed],
                [new StatDelta(5, "next", 1, 0), new StatDelta(5, "start", 3, 1)], []);
            writer.Commit([], [new StatDelta(5, "start", 1, 2)], []);
        }

        await using var db = provider.CreateDb();
        var rows = await db.Tasks.AsNoTracking().OrderBy(t => t.Id).ToListAsync();
        Assert.That(rows.Select(Columns), Is.EqualTo(new[] { full, bare, changed.Row }.Select(Columns)), "each task's columns as written; task 3 as its later write left it");
        using var connection = provider.OpenConnection();
        Assert.That(Rows(connection).Select(r => r.History), Is.EqualTo(new[] { 1L, 0L, 2L }), "history: one step for task 1, none for task 2, both writes of task 3");
        var totals = await db.NodeTotalsAsync(5, CancellationToken.None);
        Assert.That(totals.OrderBy(t => t.NodeId).Select(t => (t.NodeId, t.Entered, t.Left)), Is.EqualTo(new[] { ("next", 1L, 0L), ("start", 4L, 3L) }),
            "counters of both commits added up");
    }

    [Test]
    public async Task Updates_of_several_tasks_commit_together_and_a_task_written_twice_keeps_its_last_write()
    {
        await using var empty = await EmptyStore.CreateAsync(Store);
        await using var provider = StoreProvider.For(empty.Options);
        var node = await GroupCommitTests.Joined(provider);
        using (var writer = provider.OpenBatchWriter(node))
        {
            writer.Commit([Write(1, node.NodeId, "start", true, 11), Write(2, node.NodeId, "start", true, 12)], [], []);
            var lost = new List<TaskWrite>();
            writer.Commit([Write(1, node.NodeId, "wait", false, 21), Write(2, node.NodeId, "next", false, 22), Write(1, node.NodeId, "woken", false, 31)], [], lost);
            Assert.That(lost, Is.Empty);
        }
        using var connection = provider.OpenConnection();
        Assert.That(Rows(connection), Is.EqualTo(new[] { (1L, "woken", 3L), (2L, "next", 2L) }),
            "task 1 as its second write left it, with the history of both; task 2 updated once");
    }

    static string Columns(TaskRow r) => string.Join("|", r.Id, r.ConvId, r.Version, r.Ref, r.NodeId, r.Status, r.Result, r.Data, r.WaitKind, r.WaitKey,
        r.WakeAt, r.TimeoutAt, r.Visits, r.ReplyTo, r.Depth, r.CreatedAt, r.ChangedAt, r.Owner, r.Test);
}

/// <summary>A node whose row is gone (another node took it over) commits nothing, not even its new tasks.</summary>
[Category(Categories.Postgres)]
public sealed class FencedCommitTests
{
    [Test]
    public async Task A_node_whose_row_is_gone_commits_nothing()
    {
        // The provider is disposed (its connections closed) before the store is dropped.
        await using var empty = await EmptyStore.CreateAsync("postgres");
        await using var provider = StoreProvider.For(empty.Options);
        var node = await GroupCommitTests.Joined(provider);
        using var connection = provider.OpenConnection();
        using (var writer = provider.OpenBatchWriter(node))
        {
            writer.Commit([GroupCommitTests.Write(1, node.NodeId, "start", true, 11)], [], []);
            // Another node took this one over (it was thought dead) and deleted its row.
            StoreProvider.Exec(connection, $"DELETE FROM nodes WHERE id = {node.NodeId}");
            Assert.Throws<NodeFencedException>(() => writer.Commit([GroupCommitTests.Write(1, node.NodeId, "next", false, 21), GroupCommitTests.Write(2, node.NodeId, "start", true, 22)], [], []));
        }
        Assert.That(GroupCommitTests.Rows(connection), Is.EqualTo(new[] { (1L, "start", 1L) }), "neither the update nor the new task was written");
    }
}
