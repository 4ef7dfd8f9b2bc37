using System.Net.Sockets;
using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Email;

/// <summary>
/// Sends an e-mail over SMTP with MailKit. Credential kind "smtp": host, port (587), username, password,
/// from (an address, or "Name &lt;address&gt;"), security (starttls, ssl, none; or the older enable_ssl:
/// true is STARTTLS, or SSL on port 465), optional certificate_sha256 (pins a server certificate that is
/// not publicly trusted). Subjects and names are UTF-8; an HTML body goes with a plain-text alternative.
/// 4xx SMTP replies and connection failures are retried; a rejected recipient, a bad address, an
/// authentication or TLS failure is permanent.
/// </summary>
public sealed class EmailSendNode(ConnectorServices services) : ConnectorNode<EmailSendNode.Prepared>(services)
{
    public const string Kind = "smtp";
    public static readonly string[] SecurityOptions = ["starttls", "ssl", "none"];

    public static readonly CredentialKind Credential = new(Kind, "E-mail (SMTP)",
    [
        new("host", "SMTP host"),
        new("port", "Port", Help: "587"),
        new("username", "User name"),
        new("password", "Password", Secret: true),
        new("from", "From", Help: "an address, or Name <address>"),
        new("security", "Security", Help: string.Join(", ", SecurityOptions)),
        new("certificate_sha256", "Pinned certificate (SHA-256)"),
    ]);

    public sealed record Prepared(string Credential, Template To, Template Subject, Template Body, bool Html, Template? Text, Template? ReplyTo)
        : ConnectorPrepared(Credential, null);

    public override NodeDescription Description { get; } = Describe("email.send", "E-mail: send", "mail", Kind,
    [
        new ParamSpec("to", ParamKind.Template, "To", Required: true, Help: "One or more addresses, comma-separated; \"Имя <address>\" keeps the name."),
        new ParamSpec("subject", ParamKind.Template, "Subject", Required: true),
        new ParamSpec("body", ParamKind.Template, "Body", Required: true),
        new ParamSpec("html", ParamKind.Boolean, "HTML body", Default: false),
        new ParamSpec("text", ParamKind.Template, "Plain-text alternative", Help: "For an HTML body; left empty, the HTML's text is sent as the alternative."),
        new ParamSpec("reply_to", ParamKind.Template, "Reply to"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, _) = Common(context);
        var to = context.Template("to", required: true);
        var subject = context.Template("subject", required: true);
        var body = context.Template("body", required: true);
        var html = context.Bool("html");
        return to is null || subject is null || body is null ? null
            : new Prepared(credential, to, subject, body, html, context.Template("text"), context.Template("reply_to"));
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Kind, step.Cancellation);
        if (credential is null) return failure;
        if (credential["host"] is not { } host) return NodeOutcome.Software("bad_credential", $"credential '{credential.Name}' has no host");
        var port = int.TryParse(credential["port"], out var p) ? p : 587;
        if (Security(credential, port) is not { } security)
            return NodeOutcome.Software("bad_credential", $"credential '{credential.Name}': security must be starttls, ssl or none, not '{credential["security"]}'");
        var fromText = credential["from"] ?? credential["username"];
        if (fromText is null) return NodeOutcome.Software("bad_credential", $"credential '{credential.Name}' has no from address");

        using var message = MessageOrNull(fromText, Render(step, node.To), Render(step, node.Subject), Render(step, node.Body), node.Html, Render(step, node.Text), Render(step, node.ReplyTo), out var badAddress);
        if (message is null) return NodeOutcome.Software("bad_address", badAddress!);
        if (message.To.Count == 0) return NodeOutcome.Software("bad_address", "no recipient");
        // A test task sends no mail (SMTP does not pass the HTTP handler that answers API calls): its
        // pinned answer's status is read as the server's reply code (2xx sent, 4xx transient, 5xx
        // permanent); without one the node is refused.
        if (Workflows.Engine.TestRuns.PinnedAnswers.Current is { } test)
            return test.Answer switch
            {
                null => NodeOutcome.Software("blocked_address", test.NotSent),
                { Status: < 400 } => NodeOutcome.Go(),
                { Status: var status } => NodeOutcome.Fail(new NodeError(status < 500, $"smtp_{status}", $"the answer pinned for node '{test.NodeId}' is status {status}; nothing was sent")),
            };

        var (_, error, _) = await Services.Vendor.RunAsync(async cancel =>
        {
            using var client = new SmtpClient { Timeout = Services.Options.TimeoutMs };
            if (credential["certificate_sha256"] is { } pin)
                client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == System.Net.Security.SslPolicyErrors.None
                    || certificate is not null && string.Equals(Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData())), pin.Replace(":", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
            try
            {
                await client.ConnectAsync(host, port, security, cancel);
                if (credential["username"] is { } user) await client.AuthenticateAsync(user, credential["password"] ?? "", cancel);
                await client.SendAsync(message, cancel);
                await client.DisconnectAsync(true, cancel);
                return new VendorCall.Attempt(Verdict.Ok);
            }
            catch (AuthenticationException e) { return new VendorCall.Attempt(Verdict.Permanent("auth_failed", $"SMTP {host}:{port}: {e.Message}")); }
            catch (SslHandshakeException e) { return new VendorCall.Attempt(Verdict.Permanent("tls_failed", $"SMTP {host}:{port}: {e.Message.Split('\n')[0]}")); }
            catch (SmtpCommandException e) { return new VendorCall.Attempt(Classify(e)); }
            catch (SmtpProtocolException e) { return new VendorCall.Attempt(Verdict.Transient("smtp_protocol", $"SMTP {host}:{port}: {e.Message}")); }
            catch (NotSupportedException e) { return new VendorCall.Attempt(Verdict.Permanent("smtp_unsupported", $"SMTP {host}:{port}: {e.Message}")); }
            catch (Exception e) when (e is SocketException or IOException or ServiceNotConnectedException)
            {
                return new VendorCall.Attempt(Verdict.Transient("connection_error", $"SMTP {host}:{port}: {e.Message}"));
            }
        }, step.Cancellation);
        return error is null ? NodeOutcome.Go() : NodeOutcome.Fail(error);
    }

    /// <summary>The message, or null and why an address could not be read.</summary>
    static MimeMessage? MessageOrNull(string from, string to, string subject, string body, bool html, string text, string replyTo, out string? badAddress)
    {
        badAddress = null;
        try { return Message(from, to, subject, body, html, text, replyTo); }
        catch (ParseException e) { badAddress = e.Message; return null; }
    }

    /// <summary>security = starttls | ssl | none; without it the older enable_ssl (default true): SSL on 465, STARTTLS elsewhere.</summary>
    static SecureSocketOptions? Security(Credential credential, int port) => credential["security"]?.Trim().ToLowerInvariant() switch
    {
        "starttls" => SecureSocketOptions.StartTls,
        "ssl" or "tls" => SecureSocketOptions.SslOnConnect,
        "none" => SecureSocketOptions.None,
        null => string.Equals(credential["enable_ssl"], "false", StringComparison.OrdinalIgnoreCase) ? SecureSocketOptions.None
            : port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls,
        _ => null,
    };

    /// <summary>The MIME message: UTF-8 headers (RFC 2047 words for names and subject), text, or HTML with a text alternative.</summary>
    public static MimeMessage Message(string from, string to, string subject, string body, bool html, string text, string replyTo)
    {
        var message = new MimeMessage { Subject = subject };
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var address in to.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            message.To.Add(MailboxAddress.Parse(address));
        if (replyTo.Length > 0) message.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        var builder = new BodyBuilder();
        if (html)
        {
            builder.HtmlBody = body;
            builder.TextBody = text.Length > 0 ? text : PlainText(body);
        }
        else builder.TextBody = body;
        message.Body = builder.ToMessageBody();
        return message;
    }

    /// <summary>The text of an HTML body: line breaks for br/p/div/li/tr, tags dropped, entities decoded.</summary>
    public static string PlainText(string html)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(html, @"<(script|style)[^>]*>.*?</\1>", "", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.Singleline);
        text = System.Text.RegularExpressions.Regex.Replace(text, @"<\s*(br|/p|/div|/li|/tr|/h[1-6])\s*/?>", "\n", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        text = System.Text.RegularExpressions.Regex.Replace(text, "<[^>]+>", "");
        text = System.Net.WebUtility.HtmlDecode(text);
        return string.Join("\n", text.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"[ \t\r]+", " ").Trim())).Trim();
    }

    /// <summary>SMTP reply classes: 4xx transient, a refused recipient or sender permanent, other 5xx permanent.</summary>
    public static Verdict Classify(SmtpCommandException e)
    {
        var code = (int)e.StatusCode;
        var text = $"SMTP {code}: {e.Message}{(e.Mailbox is { } m ? " " + m.Address : "")}";
        if (code is >= 530 and <= 535) return Verdict.Permanent("auth_failed", text);
        if (code is >= 400 and < 500) return Verdict.Transient($"smtp_{code}", text);
        if (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted) return Verdict.Permanent("recipient_rejected", text);
        return Verdict.Permanent($"smtp_{code}", text);
    }
}
