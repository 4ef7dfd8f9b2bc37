namespace Workflows.Engine;

/// <summary>Settings of the engine, bound from the "Workflows" configuration section.</summary>
public sealed class EngineOptions
{
    /// <summary>Database provider: "sqlite" (default, embedded) or "postgres".</summary>
    public string Store { get; set; } = "sqlite";
    /// <summary>Connection string; for SQLite the default is a file next to the working directory.</summary>
    public string ConnectionString { get; set; } = "Data Source=workflows.db";
    /// <summary>
    /// SQLite's synchronous mode for task writes. FULL (default): a commit is on disk before the task is
    /// acknowledged, surviving a power cut. NORMAL: on disk after the next checkpoint; survives a crash of
    /// the server process but not of the machine, and commits cost no fsync.
    /// </summary>
    public string SqliteSynchronous { get; set; } = "FULL";
    /// <summary>
    /// SQLite: when the write-ahead log passes this size, the checkpointer waits for readers to move on
    /// and truncates it (a passive checkpoint cannot reset a log that readers keep using), and a reset
    /// log is cut back to this size. Bounds the WAL under heavy reads.
    /// </summary>
    public long SqliteWalLimitBytes { get; set; } = 64L * 1024 * 1024;
    /// <summary>Folder of process definitions loaded into an empty store at first start.</summary>
    public string? ProcessesFolder { get; set; }

    public int TaskSizeLimit { get; set; } = 128_000;
    public int LoopLimit { get; set; } = 50;
    public int MaxRefLength { get; set; } = 255;
    /// <summary>How deep copy task and call process may nest before the task is stopped.</summary>
    public int MaxCallDepth { get; set; } = 16;

    public int ScriptTimeoutMs { get; set; } = 1000;
    public int ScriptMaxStatements { get; set; } = 10_000_000;
    public int ScriptMaxRecursion { get; set; } = 200;
    public long ScriptMemoryLimitBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Addresses (IPs, CIDR ranges, host names) API calls and connectors may reach although they are
    /// loopback or private, e.g. "10.1.2.0/24" for an in-house CRM. Everything else internal is blocked.
    /// </summary>
    public List<string> OutboundAllow { get; set; } = [];
    /// <summary>Default time limit of an API call node.</summary>
    public int ApiTimeoutMs { get; set; } = 30_000;
    /// <summary>Public API requests per second each process accepts (token bucket; bursts up to twice this); 0 = no limit.</summary>
    public int PublicRequestsPerSecond { get; set; } = 10_000;
    /// <summary>Requests per second each API user (signed API, API key or designer session) may make; 0 = no limit.</summary>
    public int UserRequestsPerSecond { get; set; } = 1_000;
    /// <summary>Largest request body the public API reads, in bytes.</summary>
    public int PublicMaxBodyBytes { get; set; } = 1_048_576;
    /// <summary>Largest API response body read, in bytes.</summary>
    public int ApiMaxResponseBytes { get; set; } = 1_000_000;

    /// <summary>Parallel runners; 0 means twice the processor count.</summary>
    public int Runners { get; set; }
    /// <summary>Most runs in flight at once (tasks awaiting commits or effects count); more wait in the queue.</summary>
    public int MaxRunsInFlight { get; set; } = 20_000;
    /// <summary>Instant steps a task may take before its progress is committed and it yields to others.</summary>
    public int StepsPerRun { get; set; } = 200;
    /// <summary>How long finished tasks are kept by default (hours; a process may set its own). Corezoid keeps about a day.</summary>
    public double RetentionHours { get; set; } = 24;
    /// <summary>Folder where pruned tasks are appended as JSON lines before deletion; none = no archive.</summary>
    public string? ArchiveFolder { get; set; }
    /// <summary>How often the pruner runs, in seconds.</summary>
    public int PruneEverySeconds { get; set; } = 60;
    /// <summary>On shutdown, how long runners may finish their step before in-flight calls are cancelled.</summary>
    public int StopGraceMs { get; set; } = 5000;
    /// <summary>
    /// Several nodes on one PostgreSQL: a node silent this long (no commit, no heartbeat) is taken for
    /// dead, and another node takes over its tasks and timers. Heartbeats go every fifth of it.
    /// </summary>
    public double NodeLeaseSeconds { get; set; } = 10;
    /// <summary>This node's name in /health and in the nodes table; default host name and process id.</summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// How far ahead of their due time the timers' rows are read (own store only), so a wave of timers
    /// due in the same second is run when it falls due instead of read then.
    /// </summary>
    public int TimerReadAheadMs { get; set; } = 5000;
    /// <summary>Most timers held in memory read ahead; the rest are read as these fire.</summary>
    public int TimerReadAheadLimit { get; set; } = 100_000;

    /// <summary>Most rows written in one group-commit transaction.</summary>
    public int MaxBatch { get; set; } = 2000;
}
