using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Sms;

/// <summary>
/// Sends an SMS through a generic HTTP gateway. The credential (kind "sms") is the provider profile;
/// every field has an SMS.ru default, so {"api_key": "…"} alone talks to sms.ru:
/// url (may hold {to} {text} {from} {api_key}), method (POST|GET), api_key, api_key_param (api_id),
/// to_param (to), text_param (msg), from_param (from), from, extra (JSON object of fixed params, {"json":"1"}),
/// success_path (status), success_value (OK), code_path (status_code), text_path (status_text),
/// id_path (sms.{to}.sms_id), auth_codes (200,300,301), transient_codes (220).
/// </summary>
public sealed class SmsSendNode(ConnectorServices services) : ConnectorNode<SmsSendNode.Prepared>(services)
{
    public const string Kind = "sms";

    /// <summary>The main fields of the profile (see above for the rest); a gateway has no common read-only call to test.</summary>
    public static readonly CredentialKind Credential = new(Kind, "SMS gateway",
    [
        new("api_key", "API key", Secret: true),
        new("url", "Gateway URL", Help: "https://sms.ru/sms/send"),
        new("from", "Sender name"),
        new("method", "Method", Help: "POST or GET"),
        new("extra", "Fixed parameters (JSON)", Help: "{\"json\":\"1\"}"),
    ]);

    public sealed record Prepared(string Credential, string? ResultKey, Template To, Template Text, Template? From)
        : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("sms.send", "SMS: send", "message-square", Kind,
    [
        new ParamSpec("to", ParamKind.Template, "Phone", Required: true, Default: "{{phone}}"),
        new ParamSpec("text", ParamKind.Template, "Text", Required: true),
        new ParamSpec("from", ParamKind.Template, "Sender name", Help: "Left empty: the profile's sender."),
        ResultKeyParam("sms_id"),
    ]);

    /// <summary>A gateway profile read from the credential, with SMS.ru defaults.</summary>
    public sealed record Profile(string Url, string Method, string? ApiKey, string ApiKeyParam, string ToParam, string TextParam, string FromParam,
        string? From, JsonObject Extra, string SuccessPath, string SuccessValue, string CodePath, string TextPath, string IdPath,
        string[] AuthCodes, string[] TransientCodes)
    {
        public static Profile Read(Credential c)
        {
            JsonObject extra;
            try { extra = c["extra"] is { } e ? JsonNode.Parse(e) as JsonObject ?? [] : new JsonObject { ["json"] = "1" }; }
            catch (System.Text.Json.JsonException) { extra = []; }
            static string[] List(string? text, string fallback) => (text ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return new Profile(c["url"] ?? "https://sms.ru/sms/send", (c["method"] ?? "POST").ToUpperInvariant(), c["api_key"],
                c["api_key_param"] ?? "api_id", c["to_param"] ?? "to", c["text_param"] ?? "msg", c["from_param"] ?? "from", c["from"], extra,
                c["success_path"] ?? "status", c["success_value"] ?? "OK", c["code_path"] ?? "status_code", c["text_path"] ?? "status_text",
                c["id_path"] ?? "sms.{to}.sms_id", List(c["auth_codes"], "200,300,301"), List(c["transient_codes"], "220"));
        }
    }

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "sms_id");
        var to = context.Template("to", required: true);
        var text = context.Template("text", required: true);
        var from = context.Template("from");
        return to is null || text is null ? null : new Prepared(credential, key, to, text, from);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Kind, step.Cancellation);
        if (credential is null) return failure;
        var profile = Profile.Read(credential);
        var to = new string(Render(step, node.To).Where(ch => char.IsDigit(ch) || ch == '+').ToArray()).TrimStart('+');
        var text = Render(step, node.Text);
        var from = Render(step, node.From) is { Length: > 0 } f ? f : profile.From;
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var (k, v) in profile.Extra) fields.Add(new(k, Template.AsText(v)));
        if (profile.ApiKey is not null) fields.Add(new(profile.ApiKeyParam, profile.ApiKey));
        fields.Add(new(profile.ToParam, to));
        fields.Add(new(profile.TextParam, text));
        if (!string.IsNullOrEmpty(from)) fields.Add(new(profile.FromParam, from));
        var url = profile.Url.Replace("{to}", Uri.EscapeDataString(to)).Replace("{text}", Uri.EscapeDataString(text))
            .Replace("{from}", Uri.EscapeDataString(from ?? "")).Replace("{api_key}", Uri.EscapeDataString(profile.ApiKey ?? ""));
        var result = await Services.Vendor.SendAsync(() => profile.Method == "GET"
            ? new HttpRequestMessage(HttpMethod.Get, $"{url}{(url.Contains('?') ? '&' : '?')}{string.Join('&', fields.Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value)}"))}")
            : new HttpRequestMessage(HttpMethod.Post, url) { Content = VendorCall.FormBody(fields) },
            reply => Classify(profile, reply), step.Cancellation);
        if (!result.Ok) return result.Failure;
        Put(step, node.ResultKey, Get(result.Json, profile.IdPath.Replace("{to}", to))?.DeepClone());
        return NodeOutcome.Go();
    }

    static JsonNode? Get(JsonNode? json, string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (json is not JsonObject o || !o.TryGetPropertyValue(part, out json)) return null;
        }
        return json;
    }

    public static Verdict Classify(Profile profile, VendorReply reply)
    {
        var status = Verdict.FromStatus(reply);
        if (status.Kind != VerdictKind.Ok) return status;
        if (reply.Json is null) return Verdict.Permanent("bad_response", $"the SMS gateway answered something that is not JSON: {reply.Excerpt}");
        if (Template.AsText(Get(reply.Json, profile.SuccessPath)) == profile.SuccessValue) return Verdict.Ok;
        var code = Template.AsText(Get(reply.Json, profile.CodePath));
        var text = $"SMS gateway error {code}: {Template.AsText(Get(reply.Json, profile.TextPath))}";
        if (profile.AuthCodes.Contains(code)) return Verdict.Permanent("auth_failed", text);
        if (profile.TransientCodes.Contains(code)) return Verdict.Transient("gateway_unavailable", text);
        return Verdict.Permanent(code.Length > 0 ? $"sms_{code}" : "sms_error", text);
    }
}
