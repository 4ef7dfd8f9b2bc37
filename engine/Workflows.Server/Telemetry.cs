using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Workflows.Engine.Runtime;

namespace Workflows.Server;

/// <summary>
/// OpenTelemetry, switched on by the standard variables: traces (a span per request, per node step
/// and per outgoing HTTP call) when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
/// is set, metrics (the engine's meter, ASP.NET Core's and HttpClient's) when it or
/// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is set. The exporter reads the other OTEL_* settings itself
/// (protocol, headers, intervals). Without an endpoint nothing listens, so a step pays one check;
/// /metrics (Prometheus text) works either way.
/// </summary>
public static class Telemetry
{
    const string Endpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void AddWorkflowsTelemetry(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var traces = !string.IsNullOrEmpty(config[Endpoint]) || !string.IsNullOrEmpty(config["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
        var metrics = !string.IsNullOrEmpty(config[Endpoint]) || !string.IsNullOrEmpty(config["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]);
        if (!traces && !metrics) return;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(config["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "workflows"));
        if (traces)
            telemetry.WithTracing(tracing => tracing
                .AddSource(EngineTracing.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = IsTraced)
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        if (metrics)
            telemetry.WithMetrics(metering => metering
                .AddMeter(EngineMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
    }

    /// <summary>The designer's files and the scrapers' polls are not worth a trace each.</summary>
    static bool IsTraced(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || context.Request.Path.StartsWithSegments("/openapi", StringComparison.Ordinal);
}
