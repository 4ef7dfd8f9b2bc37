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
    // Keyed by the instrument and its tag values as they come (no string building on the hot path);
    // label text is made only when /metrics is read.
    readonly ConcurrentDictionary<(string Name, string? Key1, object? Value1, string? Key2, object? Value2), Aggregate> _series = new();
    readonly ConcurrentDictionary<string, string> _help = new();

    sealed class Aggregate
    {
        public double Sum;
        public long Count;
        public bool Gauge;
    }

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
        var key = (instrument.Name,
            tags.Length > 0 ? tags[0].Key : null, tags.Length > 0 ? tags[0].Value : null,
            tags.Length > 1 ? tags[1].Key : null, tags.Length > 1 ? tags[1].Value : null);
        var series = _series.GetOrAdd(key, _ => new Aggregate { Gauge = instrument is ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double> });
        // Lock-free: every runner reports each step, and a lock per series made them queue behind each other.
        if (series.Gauge) Volatile.Write(ref series.Sum, value);
        else
        {
            double seen, sum = Volatile.Read(ref series.Sum);
            do { seen = sum; sum = Interlocked.CompareExchange(ref series.Sum, seen + value, seen); }
            while (!sum.Equals(seen));
        }
        Interlocked.Increment(ref series.Count);
    }

    static string Labels(string? key1, object? value1, string? key2, object? value2)
    {
        if (key1 is null) return "";
        var text = new StringBuilder("{").Append(key1).Append("=\"").Append(Convert.ToString(value1, CultureInfo.InvariantCulture)).Append('"');
        if (key2 is not null) text.Append(',').Append(key2).Append("=\"").Append(Convert.ToString(value2, CultureInfo.InvariantCulture)).Append('"');
        return text.Append('}').ToString();
    }

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(kv => kv.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var histogram = group.Key.EndsWith("_ms", StringComparison.Ordinal);
            text.Append("# HELP ").Append(group.Key).Append(' ').Append(_help.GetValueOrDefault(group.Key)).Append('\n');
            text.Append("# TYPE ").Append(group.Key).Append(histogram ? " summary\n" : group.First().Value.Gauge ? " gauge\n" : " counter\n");
            foreach (var (key, series) in group.Select(kv => (kv.Key, kv.Value)).OrderBy(s => Labels(s.Key.Key1, s.Key.Value1, s.Key.Key2, s.Key.Value2), StringComparer.Ordinal))
            {
                var labels = Labels(key.Key1, key.Value1, key.Key2, key.Value2);
                double sum;
                long count;
                (sum, count) = (Volatile.Read(ref series.Sum), Interlocked.Read(ref series.Count));
                if (histogram)
                {
                    text.Append(key.Name).Append("_sum").Append(labels).Append(' ').Append(sum.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
                    text.Append(key.Name).Append("_count").Append(labels).Append(' ').Append(count).Append('\n');
                }
                else text.Append(key.Name).Append(labels).Append(' ').Append(sum.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();
}
