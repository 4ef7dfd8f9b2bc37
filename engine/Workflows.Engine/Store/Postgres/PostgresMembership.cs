using Microsoft.Extensions.Logging;
using Npgsql;

namespace Workflows.Engine.Store.Postgres;

/// <summary>
/// Nodes on one PostgreSQL. A node is alive while its row's heartbeat is younger than the lease
/// (every group commit refreshes it, and so does <see cref="BeatAsync"/>). A node that stopped, or
/// stayed silent longer than the lease, is taken over by one live node in one transaction: its row
/// is deleted, and its unfinished tasks get the new owner. Every commit of a node first updates its
/// own row, so a node that was only paused and comes back finds no row, and commits nothing over the
/// node that took its work (the fence).
/// </summary>
sealed class PostgresMembership(NpgsqlDataSource source, EngineOptions options, ILogger log) : NodeMembership
{
    internal const string Channel = "workflows_processes";

    public override bool Shared => true;

    double Lease => Math.Max(1, options.NodeLeaseSeconds);

    public override async Task JoinAsync(string name, CancellationToken cancel)
    {
        await using var command = source.CreateCommand("INSERT INTO nodes (id, name) VALUES (nextval('node_ids'), $1) RETURNING id");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        NodeId = (long)(await command.ExecuteScalarAsync(cancel))!;
        log.LogInformation("Joined the cluster as node {Node} ({Name})", NodeId, name);
    }

    public override async Task<IReadOnlyList<long>> BeatAsync(CancellationToken cancel)
    {
        await using var connection = await source.OpenConnectionAsync(cancel);
        await using var tx = await connection.BeginTransactionAsync(cancel);
        await using (var beat = new NpgsqlCommand(PostgresBatchWriter.Fence, connection, tx))
        {
            beat.Parameters.Add(new NpgsqlParameter { Value = NodeId });
            if (await beat.ExecuteNonQueryAsync(cancel) == 0)
            {
                RaiseFenced();
                throw new NodeFencedException(NodeId);
            }
        }
        var dead = new List<long>();
        // The taken rows go: a node's id is new at every start, so rows kept would pile up with every
        // node that ever ran. The fence holds without them: a paused node that comes back finds no row
        // of its own, as it would find one taken (rows marked taken_by before are cleared here too).
        await using (var take = new NpgsqlCommand("""
            DELETE FROM nodes WHERE id IN (
              SELECT id FROM nodes WHERE id <> $1 AND (taken_by IS NOT NULL OR stopped OR heartbeat_at < now() - make_interval(secs => $2))
              FOR UPDATE SKIP LOCKED)
            RETURNING id
            """, connection, tx))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = NodeId });
            take.Parameters.Add(new NpgsqlParameter { Value = Lease });
            await using var reader = await take.ExecuteReaderAsync(cancel);
            while (await reader.ReadAsync(cancel)) dead.Add(reader.GetInt64(0));
        }
        if (dead.Count > 0)
        {
            // A queued task a dead node had claimed for a take it never committed goes back to its queue.
            await using var move = new NpgsqlCommand(
                "UPDATE tasks SET owner = $1, wait_kind = CASE WHEN wait_kind = 'queue_taken' THEN 'queue' ELSE wait_kind END WHERE owner = ANY($2) AND status <> 'finished'", connection, tx);
            move.Parameters.Add(new NpgsqlParameter { Value = NodeId });
            move.Parameters.Add(new NpgsqlParameter { Value = dead.ToArray() });
            var moved = await move.ExecuteNonQueryAsync(cancel);
            log.LogWarning("Node {Node} took over nodes {Dead}: {Tasks} unfinished tasks", NodeId, string.Join(", ", dead), moved);
            // Their counter and sum rows are added to this node's, so rows do not pile up with every node that
            // ever ran. Safe here: a dead node commits nothing any more (its fence finds no row), and this
            // node's own writer waits, as its fence needs the row this transaction updated first.
            foreach (var fold in FoldCounters)
            {
                await using var command = new NpgsqlCommand(fold, connection, tx);
                command.Parameters.Add(new NpgsqlParameter { Value = NodeId });
                command.Parameters.Add(new NpgsqlParameter { Value = dead.ToArray() });
                await command.ExecuteNonQueryAsync(cancel);
            }
        }
        await tx.CommitAsync(cancel);
        return dead;
    }

    static readonly string[] FoldCounters =
    [
        """
        WITH gone AS (DELETE FROM node_stats WHERE owner = ANY($2) RETURNING conv_id, node_id, entered, left_count)
        INSERT INTO node_stats (conv_id, node_id, owner, entered, left_count)
        SELECT conv_id, node_id, $1, sum(entered)::bigint, sum(left_count)::bigint FROM gone GROUP BY conv_id, node_id ORDER BY conv_id, node_id
        ON CONFLICT (conv_id, node_id, owner) DO UPDATE SET entered = node_stats.entered + excluded.entered, left_count = node_stats.left_count + excluded.left_count
        """,
        """
        WITH gone AS (DELETE FROM node_sums WHERE owner = ANY($2) RETURNING conv_id, node_id, name, value)
        INSERT INTO node_sums (conv_id, node_id, name, owner, value)
        SELECT conv_id, node_id, name, $1, sum(value) FROM gone GROUP BY conv_id, node_id, name ORDER BY conv_id, node_id, name
        ON CONFLICT (conv_id, node_id, name, owner) DO UPDATE SET value = node_sums.value + excluded.value
        """,
    ];

    public override async Task<bool> TakeWaitingAsync(long taskId, long owner, string nodeId, long changedAt, CancellationToken cancel)
    {
        if (owner == NodeId) return true;
        await using var command = source.CreateCommand(
            "UPDATE tasks SET owner = $1 WHERE id = $2 AND owner = $3 AND status = 'waiting' AND node_id = $4 AND changed_at = $5");
        foreach (var value in new object[] { NodeId, taskId, owner, nodeId, changedAt }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(cancel) == 1;
    }

    public override async Task<bool> ClaimQueuedAsync(long taskId, long owner, string nodeId, long changedAt, CancellationToken cancel)
    {
        await using var command = source.CreateCommand(
            "UPDATE tasks SET owner = $1, wait_kind = 'queue_taken' WHERE id = $2 AND owner = $3 AND status = 'waiting' AND wait_kind = 'queue' AND node_id = $4 AND changed_at = $5");
        foreach (var value in new object[] { NodeId, taskId, owner, nodeId, changedAt }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(cancel) == 1;
    }

    public override async Task UnclaimQueuedAsync(long taskId)
    {
        try
        {
            await using var command = source.CreateCommand("UPDATE tasks SET wait_kind = 'queue' WHERE id = $1 AND owner = $2 AND wait_kind = 'queue_taken'");
            command.Parameters.Add(new NpgsqlParameter { Value = taskId });
            command.Parameters.Add(new NpgsqlParameter { Value = NodeId });
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // Left claimed: it goes back to its queue when this node is next taken over (a restart included).
            log.LogWarning("Queued task {Task} could not be put back in its queue now: {Error}", taskId, e.Message);
        }
    }

    public override async Task LeaveAsync()
    {
        try
        {
            await using var command = source.CreateCommand("UPDATE nodes SET stopped = true WHERE id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = NodeId });
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            log.LogWarning("Node {Node} could not mark itself stopped ({Error}); others take its tasks after the lease", NodeId, e.Message);
        }
    }

    public override async Task AnnounceProcessAsync(long convId, CancellationToken cancel)
    {
        await using var command = source.CreateCommand("SELECT pg_notify($1, $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = Channel });
        command.Parameters.Add(new NpgsqlParameter { Value = convId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await command.ExecuteNonQueryAsync(cancel);
    }

    public override Task ListenProcessesAsync(Func<long?, Task> changed, CancellationToken cancel) => Task.Run(async () =>
    {
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(cancel);
                var received = System.Threading.Channels.Channel.CreateUnbounded<long?>();
                connection.Notification += (_, e) => received.Writer.TryWrite(long.TryParse(e.Payload, out var id) ? id : null);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(cancel);
                // Whatever was announced while this node was not listening: read everything again.
                await changed(null);
                _ = Task.Run(async () =>
                {
                    await foreach (var convId in received.Reader.ReadAllAsync(cancel)) await changed(convId);
                }, cancel);
                // Notifications wake this at once; every second without one, everything is compared
                // again, so a change is seen within a second even if a notification was lost.
                while (!cancel.IsCancellationRequested)
                    if (!await connection.WaitAsync(TimeSpan.FromSeconds(1), cancel)) await changed(null);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogWarning("Listening for process changes failed ({Error}); reconnecting", e.Message);
                try { await Task.Delay(1000, cancel); } catch (OperationCanceledException) { return; }
            }
        }
    }, cancel);

    public override async Task<IReadOnlyList<long>> LiveNodesAsync(CancellationToken cancel)
    {
        await using var command = source.CreateCommand(
            "SELECT id FROM nodes WHERE taken_by IS NULL AND NOT stopped AND heartbeat_at >= now() - make_interval(secs => $1) ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = Lease });
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancel);
        while (await reader.ReadAsync(cancel)) ids.Add(reader.GetInt64(0));
        return ids;
    }
}
