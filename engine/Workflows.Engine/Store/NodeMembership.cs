namespace Workflows.Engine.Store;

/// <summary>
/// This engine node among the others on the same database. On SQLite there is only one node (id 0)
/// and nothing to coordinate; on PostgreSQL each node registers, keeps a heartbeat, and takes over
/// the tasks of nodes that stopped or died (see docs/architecture.md, "Several nodes").
/// </summary>
public class NodeMembership
{
    /// <summary>The node's id: the owner written on its tasks. Unique for every start of every node.</summary>
    public long NodeId { get; protected set; }

    /// <summary>0-63: the node's part of task ids, so ids made by different nodes never collide.</summary>
    public int Slot => (int)(NodeId % IdSlots);

    public const int IdSlots = 64;

    /// <summary>True when other nodes may share the database: refs, wakes and processes then go through it.</summary>
    public virtual bool Shared => false;

    /// <summary>Raised when the database says another node has taken this node's work (it was thought dead).</summary>
    public event Action? Fenced;

    internal void RaiseFenced() => Fenced?.Invoke();

    /// <summary>Registers the node; afterwards <see cref="NodeId"/> is set.</summary>
    public virtual Task JoinAsync(string name, CancellationToken cancel) => Task.CompletedTask;

    /// <summary>
    /// Keeps this node alive and takes over nodes that are not (stopped, or silent longer than the
    /// lease): their unfinished tasks become this node's. Answers the ids of the nodes taken over.
    /// </summary>
    public virtual Task<IReadOnlyList<long>> BeatAsync(CancellationToken cancel) => Task.FromResult<IReadOnlyList<long>>([]);

    /// <summary>
    /// Moves one waiting task to this node, if it is still as it was read (same owner, node and change
    /// time): a wake that arrived here continues the task here. The former owner's next write of it finds no row.
    /// </summary>
    public virtual Task<bool> TakeWaitingAsync(long taskId, long owner, string nodeId, long changedAt, CancellationToken cancel) => Task.FromResult(owner == NodeId);

    /// <summary>
    /// Claims a task waiting in a queue node for a get-from-queue step of this node: it becomes this
    /// node's and no other node's taker sees it (wait kind queue_taken) until the take is committed or let
    /// go. One node alone needs no mark: holding the task (TaskQueue) is enough.
    /// </summary>
    public virtual Task<bool> ClaimQueuedAsync(long taskId, long owner, string nodeId, long changedAt, CancellationToken cancel) => Task.FromResult(owner == NodeId);

    /// <summary>A claimed queued task whose take will not be committed: back in its queue for every node.</summary>
    public virtual Task UnclaimQueuedAsync(long taskId) => Task.CompletedTask;

    /// <summary>Marks the node stopped, so others take what it leaves at once instead of after the lease.</summary>
    public virtual Task LeaveAsync() => Task.CompletedTask;

    /// <summary>Tells every node (this one too) that a process changed.</summary>
    public virtual Task AnnounceProcessAsync(long convId, CancellationToken cancel) => Task.CompletedTask;

    /// <summary>Calls back with each process change any node announces, until cancelled; called once at start.</summary>
    public virtual Task ListenProcessesAsync(Func<long?, Task> changed, CancellationToken cancel) => Task.CompletedTask;

    /// <summary>Nodes alive now, for /health.</summary>
    public virtual Task<IReadOnlyList<long>> LiveNodesAsync(CancellationToken cancel) => Task.FromResult<IReadOnlyList<long>>([NodeId]);
}

/// <summary>A write whose task another node has taken: it was not committed, and this node must let the task go.</summary>
public sealed class TaskLostException(long taskId)
    : Exception($"task {Runtime.TaskIds.Format(taskId)} was taken over by another node; this node's step was not committed")
{
    public long TaskId { get; } = taskId;
}

/// <summary>The database says another node took this node's work: nothing more may be committed by it.</summary>
public sealed class NodeFencedException(long nodeId)
    : Exception($"node {nodeId} was taken over by another node (it was silent longer than the lease); it commits nothing more and stops")
{
}
