using System.Diagnostics.Metrics;

namespace Workflows.Engine.Runtime;

/// <summary>
/// The engine's metrics (System.Diagnostics.Metrics, meter "Workflows.Engine"): tasks created and
/// finished per process, step latency per node type, and gauges for the queue and the timer lag.
/// The server exposes them at /metrics in the Prometheus text format.
/// </summary>
public sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "Workflows.Engine";
    readonly Meter _meter = new(MeterName);
    readonly Counter<long> _created;
    readonly Counter<long> _finished;
    readonly Histogram<double> _stepMs;

    public EngineMetrics()
    {
        _created = _meter.CreateCounter<long>("workflows_tasks_created", description: "Tasks created, per process");
        _finished = _meter.CreateCounter<long>("workflows_tasks_finished", description: "Tasks that ended, per process and result (success, error)");
        _stepMs = _meter.CreateHistogram<double>("workflows_step_duration_ms", "ms", "Time a node took to execute, per node type");
    }

    /// <summary>
    /// A gauge read on collection, registered by the part that owns the value (the runner its queue and
    /// runs, the host the timers' lag), so the metrics need no part of the engine.
    /// </summary>
    public void Observe(string name, Func<long> value, string description) =>
        _meter.CreateObservableGauge(name, value, description: description);

    /// <summary>This engine's meter (several engines may share a process, as in the tests).</summary>
    public Meter Meter => _meter;

    public void Created(long convId) => _created.Add(1, new KeyValuePair<string, object?>("conv_id", convId));

    public void Finished(long convId, string result) =>
        _finished.Add(1, new KeyValuePair<string, object?>("conv_id", convId), new KeyValuePair<string, object?>("result", result));

    public void Step(string nodeType, double milliseconds) => _stepMs.Record(milliseconds, new KeyValuePair<string, object?>("node_type", nodeType));

    public void Dispose() => _meter.Dispose();
}
