using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;

namespace Workflows.Connectors.Beeline;

/// <summary>
/// One BroadWorks XSI call event as the PBX posts it to a subscription's URL
/// (<c>xsi:Event/xsi:eventData xsi1:type="xsi:CallReleasedEvent"</c>…). <see cref="Type"/> is
/// received, originated, answered, released (or the XSI name for others). A released call's
/// <see cref="Result"/>: answered when it has an answer time, busy when the release cause says so
/// (internal cause Busy, CDR cause 017), otherwise no_answer.
/// </summary>
public sealed record CallEvent(string Type, string CallId, string? Personality, string? RemoteParty, DateTimeOffset? StartTime,
    DateTimeOffset? AnswerTime, DateTimeOffset? ReleaseTime, string? ReleaseCause, string? SubscriptionId, string? TargetId)
{
    public bool Released => Type == "released";

    public string? Result => !Released ? null : AnswerTime is not null ? "answered"
        : ReleaseCause is { } c && (c.Contains("Busy", StringComparison.OrdinalIgnoreCase) || c.Contains("017", StringComparison.Ordinal)) ? "busy"
        : "no_answer";

    /// <summary>Talk time in whole seconds (answer to release); 0 for a call nobody answered.</summary>
    public int Duration => AnswerTime is { } a && ReleaseTime is { } r && r > a ? (int)Math.Round((r - a).TotalSeconds) : 0;

    /// <summary>Reads the event; null with the reason when it is not an XSI call event.</summary>
    public static (CallEvent? Event, string? Problem) Parse(string xml)
    {
        XDocument doc;
        try { doc = XDocument.Parse(xml, LoadOptions.None); }
        catch (XmlException e) { return (null, $"the body is not XML: {e.Message}"); }
        XNamespace x = "http://schema.broadsoft.com/xsi";
        XNamespace xi = "http://www.w3.org/2001/XMLSchema-instance";
        if (doc.Root?.Name != x + "Event") return (null, "the body is not an XSI event (root xsi:Event in http://schema.broadsoft.com/xsi)");
        var data = doc.Root.Element(x + "eventData");
        var type = (string?)data?.Attribute(xi + "type");
        if (data is null || type is null) return (null, "the event has no eventData with an xsi1:type");
        var name = type.Contains(':') ? type[(type.IndexOf(':') + 1)..] : type;
        var call = data.Element(x + "call") ?? data;
        var callId = (string?)call.Element(x + "callId");
        if (string.IsNullOrWhiteSpace(callId)) return (null, $"the {name} has no callId");
        var cause = call.Element(x + "releaseCause");
        var causeText = cause is null ? null : string.Join(" ", cause.Elements().Select(e => e.Value.Trim()).Where(v => v.Length > 0));
        var remote = (string?)call.Element(x + "remoteParty")?.Element(x + "address");
        return (new CallEvent(
            name switch
            {
                "CallReceivedEvent" => "received",
                "CallOriginatedEvent" => "originated",
                "CallAnsweredEvent" => "answered",
                "CallReleasedEvent" => "released",
                _ => name,
            },
            callId.Trim(),
            (string?)call.Element(x + "personality"),
            remote is null ? null : new string(remote.Where(char.IsDigit).ToArray()),
            Time(call.Element(x + "startTime")), Time(call.Element(x + "answerTime")), Time(call.Element(x + "releaseTime")),
            string.IsNullOrEmpty(causeText) ? null : causeText,
            (string?)doc.Root.Element(x + "subscriptionId"), (string?)doc.Root.Element(x + "targetId")), null);
    }

    /// <summary>XSI times are milliseconds since the epoch.</summary>
    static DateTimeOffset? Time(XElement? e) =>
        e is not null && long.TryParse(e.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>What the waiting task gets under "call".</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["event"] = Type,
            ["call_id"] = CallId,
            ["personality"] = Personality,
            ["remote_party"] = RemoteParty,
            ["start_time"] = StartTime?.ToString("O", CultureInfo.InvariantCulture),
            ["answer_time"] = AnswerTime?.ToString("O", CultureInfo.InvariantCulture),
            ["release_time"] = ReleaseTime?.ToString("O", CultureInfo.InvariantCulture),
            ["release_cause"] = ReleaseCause,
            ["subscription_id"] = SubscriptionId,
            ["target_id"] = TargetId,
        };
        if (Released)
        {
            o["result"] = Result;
            o["duration"] = Duration;
        }
        return o;
    }
}
