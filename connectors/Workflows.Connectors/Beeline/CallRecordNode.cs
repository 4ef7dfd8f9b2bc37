using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Beeline;

/// <summary>
/// A finished call's statistics and recording: GET statistics (the operator, <c>days</c> days around
/// the call's time <c>at</c>, by the PBX's clock; default: up to now) finds the call by id; GET records finds its recording and GET v2/records/{id}/reference its link.
/// Puts <c>{call_id, status, phone, date, duration (s), record_id, recording_url}</c> under result_key
/// (recording fields null when the call was not recorded). A call not in the statistics: not_found.
/// </summary>
public sealed class CallRecordNode(ConnectorServices services) : ConnectorNode<CallRecordNode.Prepared>(services)
{
    public sealed record Prepared(string Credential, string? ResultKey, Template CallId, Template? UserId, Template? Days, Template? At) : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("beeline.call_record", "Beeline: call statistics and recording", "file-audio", BeelineApi.Kind,
    [
        new ParamSpec("call_id", ParamKind.Template, "Call id", Required: true, Default: "{{call_id}}"),
        new ParamSpec("user_id", ParamKind.Template, "Operator", Help: "userId, extension or phone of the abonent (narrows the search)."),
        new ParamSpec("days", ParamKind.Template, "Look back (days)", Default: "1"),
        new ParamSpec("at", ParamKind.Template, "Call time", Help: "The call's start as the PBX reported it (e.g. {{call.start_time}}); empty: now."),
        ResultKeyParam("call_record"),
    ],
    [new ExitSpec("not_found", "Call not found", Required: false)]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "call_record");
        var call = context.Template("call_id", required: true);
        return call is null ? null : new Prepared(credential, key, call, context.Template("user_id"), context.Template("days"), context.Template("at"));
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, BeelineApi.Kind, step.Cancellation);
        if (credential is null) return failure;
        if (BeelineApi.Check(credential) is { } bad) return NodeOutcome.Software("bad_credential", bad);
        var callId = Render(step, node.CallId).Trim();
        var days = int.TryParse(Render(step, node.Days), out var d) && d is > 0 and <= 90 ? d : 1;
        var atText = Render(step, node.At).Trim();
        DateTimeOffset? at = atText.Length == 0 ? null
            : DateTimeOffset.TryParse(atText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed
            : long.TryParse(atText, out var unix) ? DateTimeOffset.FromUnixTimeSeconds(unix) : null;
        if (atText.Length > 0 && at is null) return NodeOutcome.Software("validation_error", $"at '{atText}' is not a time");
        var from = (at ?? step.Now).AddDays(-days);
        var to = at?.AddDays(days) ?? step.Now.AddMinutes(5);
        var window = $"dateFrom={Uri.EscapeDataString(BeelineApi.Iso(from))}&dateTo={Uri.EscapeDataString(BeelineApi.Iso(to))}";
        if (Render(step, node.UserId) is { Length: > 0 } user) window += $"&userId={Uri.EscapeDataString(user.Trim())}";
        var stats = await BeelineApi.SendAsync(Services, credential, HttpMethod.Get, $"statistics?{window}&page=0&pageSize=1000", null, step.Cancellation);
        if (!stats.Ok) return stats.Failure;
        var row = Rows(stats.Json).FirstOrDefault(r => Text(r["callId"]) == callId || Text(r["id"]) == callId);
        if (row is null) return NodeOutcome.Go("not_found");
        var records = await BeelineApi.SendAsync(Services, credential, HttpMethod.Get, $"records?{window}", null, step.Cancellation);
        if (!records.Ok) return records.Failure;
        var record = Rows(records.Json).FirstOrDefault(r => Text(r["callId"]) == callId || Text(r["externalId"]) == callId);
        string? recordId = record is null ? null : Text(record["id"]), link = null;
        if (recordId is not null)
        {
            var reference = await BeelineApi.SendAsync(Services, credential, HttpMethod.Get, $"v2/records/{Uri.EscapeDataString(recordId)}/reference", null, step.Cancellation);
            if (!reference.Ok) return reference.Failure;
            link = Text(reference.Json?["url"]);
        }
        var milliseconds = row["duration"] is JsonValue v && v.TryGetValue(out double ms) ? ms : 0;
        Put(step, node.ResultKey, new JsonObject
        {
            ["call_id"] = callId,
            ["status"] = row["status"]?.DeepClone(),
            ["phone"] = row["phone"]?.DeepClone(),
            ["date"] = row["date"]?.DeepClone(),
            ["duration"] = (int)Math.Round(milliseconds / 1000),
            ["record_id"] = recordId,
            ["recording_url"] = link,
        });
        return NodeOutcome.Go();
    }

    static IEnumerable<JsonObject> Rows(JsonNode? json) => (json as JsonArray ?? json?["content"] as JsonArray ?? []).OfType<JsonObject>();

    static string? Text(JsonNode? node) => node is null ? null : Template.AsText(node);
}
