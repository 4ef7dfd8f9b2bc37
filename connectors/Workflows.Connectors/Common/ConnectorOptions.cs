namespace Workflows.Connectors.Common;

/// <summary>Settings of the connectors, bound from "Workflows:Connectors".</summary>
public sealed class ConnectorOptions
{
    /// <summary>Retries after the first attempt for transient failures (time-outs, connection errors, 429, 5xx, vendor limits).</summary>
    public int RetryAttempts { get; set; } = 3;
    /// <summary>First back-off delay; doubles per retry, with jitter.</summary>
    public int RetryBaseDelayMs { get; set; } = 500;
    /// <summary>Longest back-off delay.</summary>
    public int RetryMaxDelayMs { get; set; } = 5000;
    /// <summary>Time limit of one vendor request.</summary>
    public int TimeoutMs { get; set; } = 30_000;
    /// <summary>
    /// Base URL vendors call back (VoxImplant); default: the first address the server listens on.
    /// </summary>
    public string? PublicBaseUrl { get; set; }
    /// <summary>Largest vendor answer read, in bytes.</summary>
    public int MaxResponseBytes { get; set; } = 1_000_000;
}
