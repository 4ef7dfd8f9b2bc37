using System.Text.Json.Nodes;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Telegram;

/// <summary>Bot API sendMessage. Credential kind "telegram": bot_token, optional api_url.</summary>
public sealed class SendMessageNode(ConnectorServices services) : ConnectorNode<SendMessageNode.Prepared>(services)
{
    public const string Kind = "telegram";
    static readonly string[] ParseModes = ["", "HTML", "MarkdownV2", "Markdown"];

    /// <summary>The test asks the bot who it is (getMe).</summary>
    public static readonly CredentialKind Credential = new(Kind, "Telegram bot",
    [
        new("bot_token", "Bot token", Secret: true),
        new("api_url", "API URL", Help: "https://api.telegram.org"),
    ], async (services, c, cancel) =>
    {
        if (c["bot_token"] is not { } token) return new(false, $"credential '{c.Name}' has no bot_token");
        var url = $"{(c["api_url"] ?? "https://api.telegram.org").TrimEnd('/')}/bot{token}/getMe";
        var result = await services.Vendor.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), Classify, cancel);
        return result.Ok
            ? new(true, $"Telegram answered: this is the bot @{result.Json?["result"]?["username"]}.")
            : new(false, result.Error!.Description);
    });

    public sealed record Prepared(string Credential, string? ResultKey, Template ChatId, Template Text, string ParseMode, bool Silent)
        : ConnectorPrepared(Credential, ResultKey);

    public override NodeDescription Description { get; } = Describe("telegram.send_message", "Telegram: send message", "send", Kind,
    [
        new ParamSpec("chat_id", ParamKind.Template, "Chat id", Required: true, Help: "A numeric chat id or @channel."),
        new ParamSpec("text", ParamKind.Template, "Text", Required: true),
        new ParamSpec("parse_mode", ParamKind.Select, "Formatting", Default: "", Options: ParseModes),
        new ParamSpec("disable_notification", ParamKind.Boolean, "Silent", Default: false),
        ResultKeyParam("telegram_message_id"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, key) = Common(context, "telegram_message_id");
        var chat = context.Template("chat_id", required: true);
        var text = context.Template("text", required: true);
        var mode = context.String("parse_mode") ?? "";
        if (!ParseModes.Contains(mode)) context.Error("params.parse_mode", $"'{mode}' is not one of HTML, MarkdownV2, Markdown");
        var silent = context.Bool("disable_notification");
        return chat is null || text is null ? null : new Prepared(credential, key, chat, text, mode, silent);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Kind, step.Cancellation);
        if (credential is null) return failure;
        if (credential["bot_token"] is not { } token) return NodeOutcome.Software("bad_credential", $"credential '{credential.Name}' has no bot_token");
        var body = new JsonObject { ["chat_id"] = Render(step, node.ChatId), ["text"] = Render(step, node.Text) };
        if (node.ParseMode.Length > 0) body["parse_mode"] = node.ParseMode;
        if (node.Silent) body["disable_notification"] = true;
        var url = $"{(credential["api_url"] ?? "https://api.telegram.org").TrimEnd('/')}/bot{token}/sendMessage";
        var result = await Services.Vendor.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = VendorCall.JsonBody(body) }, Classify, step.Cancellation);
        if (!result.Ok) return result.Failure;
        Put(step, node.ResultKey, result.Json!["result"]?["message_id"]?.DeepClone());
        return NodeOutcome.Go();
    }

    /// <summary><c>{"ok":false,"error_code","description"}</c>; the HTTP status equals error_code.</summary>
    public static Verdict Classify(VendorReply reply)
    {
        if (reply.Json is JsonObject body && body["ok"] is JsonValue ok && ok.TryGetValue(out bool fine) && fine) return Verdict.Ok;
        var description = reply.Json?["description"] is JsonValue d && d.TryGetValue(out string? s) ? s : reply.Excerpt;
        var code = reply.Json?["error_code"] is JsonValue c && c.TryGetValue(out int n) ? n : reply.Status;
        var text = $"Telegram {code}: {description}";
        return code switch
        {
            429 or >= 500 => Verdict.Transient($"http_{code}", text),
            401 => Verdict.Permanent("auth_failed", text),
            403 => Verdict.Permanent("forbidden", text),
            400 when description.Contains("chat not found", StringComparison.OrdinalIgnoreCase) => Verdict.Permanent("chat_not_found", text),
            _ => Verdict.Permanent($"http_{code}", text),
        };
    }
}
