using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using Workflows.Connectors.Common;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Email;

/// <summary>
/// Sends an e-mail over SMTP (System.Net.Mail). Credential kind "smtp": host, port (587), username,
/// password, from, enable_ssl (true). 4xx SMTP replies and connection failures are retried; a rejected
/// recipient, a bad address or an authentication failure is permanent.
/// </summary>
public sealed class EmailSendNode(ConnectorServices services) : ConnectorNode<EmailSendNode.Prepared>(services)
{
    public const string Kind = "smtp";

    public sealed record Prepared(string Credential, Template To, Template Subject, Template Body, bool Html, Template? ReplyTo)
        : ConnectorPrepared(Credential, null);

    public override NodeDescription Description { get; } = Describe("email.send", "E-mail: send", "mail", Kind,
    [
        new ParamSpec("to", "template", "To", Required: true, Help: "One or more addresses, comma-separated."),
        new ParamSpec("subject", "template", "Subject", Required: true),
        new ParamSpec("body", "template", "Body", Required: true),
        new ParamSpec("html", "boolean", "HTML body", Default: false),
        new ParamSpec("reply_to", "template", "Reply to"),
    ]);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var (credential, _) = Common(context);
        var to = context.Template("to", required: true);
        var subject = context.Template("subject", required: true);
        var body = context.Template("body", required: true);
        var html = context.Bool("html");
        var replyTo = context.Template("reply_to");
        return to is null || subject is null || body is null ? null : new Prepared(credential, to, subject, body, html, replyTo);
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (credential, failure) = await LoadCredential(node.Credential, Kind, step.Cancellation);
        if (credential is null) return failure;
        if (credential["host"] is not { } host) return NodeOutcome.Software("bad_credential", $"credential '{credential.Name}' has no host");
        var port = int.TryParse(credential["port"], out var p) ? p : 587;
        var ssl = !string.Equals(credential["enable_ssl"], "false", StringComparison.OrdinalIgnoreCase);
        var from = credential["from"] ?? credential["username"];
        if (from is null) return NodeOutcome.Software("bad_credential", $"credential '{credential.Name}' has no from address");
        var to = Render(step, node.To);
        var subject = Render(step, node.Subject);
        var body = Render(step, node.Body);
        var replyTo = Render(step, node.ReplyTo);

        var (_, error, _) = await Services.Vendor.RunAsync(async cancel =>
        {
            try
            {
                using var message = new MailMessage { From = new MailAddress(from), Subject = subject, Body = body, IsBodyHtml = node.Html };
                foreach (var address in to.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    message.To.Add(new MailAddress(address));
                if (message.To.Count == 0) return new VendorCall.Attempt(Verdict.Permanent("bad_address", "no recipient"));
                if (replyTo.Length > 0) message.ReplyToList.Add(new MailAddress(replyTo));
                using var client = new SmtpClient(host, port)
                {
                    EnableSsl = ssl,
                    DeliveryMethod = SmtpDeliveryMethod.Network,
                    Timeout = Services.Options.TimeoutMs,
                };
                if (credential["username"] is { } user) client.Credentials = new NetworkCredential(user, credential["password"] ?? "");
                await client.SendMailAsync(message, cancel);
                return new VendorCall.Attempt(Verdict.Ok);
            }
            catch (FormatException e) { return new VendorCall.Attempt(Verdict.Permanent("bad_address", e.Message)); }
            catch (SmtpFailedRecipientException e) { return new VendorCall.Attempt(Verdict.Permanent("recipient_rejected", $"SMTP {(int)e.StatusCode}: {e.Message} {e.FailedRecipient}")); }
            catch (SmtpException e) { return new VendorCall.Attempt(Classify(e)); }
            catch (Exception e) when (e is SocketException or IOException) { return new VendorCall.Attempt(Verdict.Transient("connection_error", $"SMTP {host}:{port}: {e.Message}")); }
        }, step.Cancellation);
        return error is null ? NodeOutcome.Go() : NodeOutcome.Fail(error);
    }

    /// <summary>SMTP reply classes: 4xx and connection failures transient, 530–535 authentication, other 5xx permanent.</summary>
    public static Verdict Classify(SmtpException e)
    {
        var code = (int)e.StatusCode;
        var text = $"SMTP {code}: {e.Message}{(e.InnerException is { } inner ? " " + inner.Message : "")}";
        if (code is >= 530 and <= 535) return Verdict.Permanent("auth_failed", text);
        if (e.StatusCode == SmtpStatusCode.GeneralFailure || code is >= 400 and < 500) return Verdict.Transient($"smtp_{code}", text);
        if (e.InnerException is SocketException or IOException) return Verdict.Transient("connection_error", text);
        return Verdict.Permanent($"smtp_{code}", text);
    }
}
