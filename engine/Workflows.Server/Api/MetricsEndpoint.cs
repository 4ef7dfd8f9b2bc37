using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Workflows.Engine.Runtime;

namespace Workflows.Server.Api;

/// <summary>
/// /metrics in the Prometheus text format: a MeterListener sums the engine's counters and histograms
/// by their tags (the Prometheus exporter package is not available here, and this is all it takes).
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    readonly MeterListener _listener = new();
    readonly ConcurrentDictionary<(string Name, string Tags), double> _sums = new();
    readonly ConcurrentDictionary<(string Name, string Tags), long> _counts = new();
    readonly ConcurrentDictionary<string, string> _help = new();

    public MetricsEndpoint(EngineMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, metrics.Meter)) return;
            _help[instrument.Name] = instrument.Description ?? "";
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
        _listener.Start();
    }

    void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new StringBuilder();
        foreach (var tag in tags)
            labels.Append(labels.Length == 0 ? "" : ",").Append(tag.Key).Append("=\"").Append(Convert.ToString(tag.Value, CultureInfo.InvariantCulture)).Append('"');
        var key = (instrument.Name, labels.ToString());
        if (instrument is ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double>) _sums[key] = value;
        else _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
    }

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _sums.GroupBy(kv => kv.Key.Name).OrderBy(g => g.Key))
        {
            var histogram = group.Key.EndsWith("_ms", StringComparison.Ordinal);
            text.Append("# HELP ").Append(group.Key).Append(' ').Append(_help.GetValueOrDefault(group.Key)).Append('\n');
            text.Append("# TYPE ").Append(group.Key).Append(histogram ? " summary\n" : group.Key.Contains("_tasks_", StringComparison.Ordinal) ? " counter\n" : " gauge\n");
            foreach (var ((name, tags), value) in group.OrderBy(kv => kv.Key.Tags, StringComparer.Ordinal))
            {
                var labels = tags.Length == 0 ? "" : "{" + tags + "}";
                if (histogram)
                {
                    text.Append(name).Append("_sum").Append(labels).Append(' ').Append(value.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
                    text.Append(name).Append("_count").Append(labels).Append(' ').Append(_counts.GetValueOrDefault((name, tags))).Append('\n');
                }
                else text.Append(name).Append(labels).Append(' ').Append(value.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();
}
