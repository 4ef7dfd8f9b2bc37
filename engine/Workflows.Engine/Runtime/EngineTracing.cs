using System.Diagnostics;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;

namespace Workflows.Engine.Runtime;

/// <summary>
/// The engine's traces (ActivitySource "Workflows.Engine"): a span per node step. With no listener
/// attached (the server exports traces only when an OTLP endpoint is configured) a step costs one
/// HasListeners check. Outgoing HTTP calls made inside a step become its children, and HttpClient
/// passes the W3C trace context on to the called service.
/// </summary>
public static class EngineTracing
{
    public const string SourceName = "Workflows.Engine";
    static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts the span of one node step, or null when nobody listens.</summary>
    public static Activity? Step(TaskState task, CompiledNode node)
    {
        if (!Source.HasListeners()) return null;
        var span = Source.StartActivity("workflows.step");
        if (span is null) return null;
        span.DisplayName = "step " + node.Type.Name;
        span.SetTag("workflows.conv_id", task.ConvId);
        span.SetTag("workflows.node_id", node.Id);
        span.SetTag("workflows.node_type", node.Type.Name);
        span.SetTag("workflows.obj_id", task.ObjId);
        return span;
    }

    /// <summary>Notes how the step ended; a node's error marks the span as failed.</summary>
    public static void Ended(Activity? span, NodeOutcome outcome)
    {
        if (span is null) return;
        span.SetTag("workflows.outcome", outcome.Kind.ToString());
        if (outcome.Kind == OutcomeKind.Go) span.SetTag("workflows.exit", outcome.Exit);
        if (outcome.Error is { } error) span.SetStatus(ActivityStatusCode.Error, error.Tag + ": " + error.Description);
    }
}
