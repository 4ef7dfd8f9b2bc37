using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using MimeKit;

namespace Workflows.Simulators;

/// <summary>
/// A tiny SMTP server on TcpListeners (127.0.0.1, free ports): <see cref="SmtpPort"/> speaks plain SMTP
/// with STARTTLS, <see cref="SslPort"/> TLS from the first byte; both with a self-signed certificate
/// whose SHA-256 is <see cref="CertificateSha256"/>. EHLO, STARTTLS, AUTH LOGIN/PLAIN, MAIL, RCPT, DATA,
/// RSET, NOOP, QUIT. Wrong credentials get 535; with <see cref="RequireTls"/> AUTH before STARTTLS gets 530;
/// a recipient containing "reject" gets 550; the configured failures get 421 at the greeting. Messages
/// are read with MimeKit and kept at GET /sent: from, from_name, to, to_names, subject, html, body (the
/// HTML part if any, else the text), text (the plain-text part), tls.
/// </summary>
public sealed class SmtpSimulator : HttpSimulator
{
    public const string User = "robot@shop.example";
    public const string Password = "demo-smtp-password";
    TcpListener? _listener;
    TcpListener? _sslListener;
    CancellationTokenSource? _stop;
    X509Certificate2? _certificate;

    public int SmtpPort { get; private set; }
    public int SslPort { get; private set; }
    /// <summary>Refuse AUTH on a connection that has not said STARTTLS (as most providers do).</summary>
    public bool RequireTls { get; set; }
    /// <summary>The server certificate's SHA-256 (hex), for the smtp credential's certificate_sha256.</summary>
    public string CertificateSha256 => Convert.ToHexString(SHA256.HashData(_certificate!.RawData));

    public override async Task StartAsync()
    {
        await base.StartAsync();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=sim.local", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        SmtpPort = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _sslListener = new TcpListener(IPAddress.Loopback, 0);
        _sslListener.Start();
        SslPort = ((IPEndPoint)_sslListener.LocalEndpoint).Port;
        _ = Task.Run(() => AcceptLoop(_listener, false, _stop.Token));
        _ = Task.Run(() => AcceptLoop(_sslListener, true, _stop.Token));
    }

    protected override void Map(WebApplication app) { }

    async Task AcceptLoop(TcpListener listener, bool implicitTls, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try { await Session(client.GetStream(), implicitTls, stop); }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException) { }
                }
            }, stop);
        }
    }

    async Task<SslStream> Secure(Stream stream, CancellationToken stop)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, stop);
        return ssl;
    }

    async Task Session(Stream stream, bool implicitTls, CancellationToken stop)
    {
        if (implicitTls)
        {
            await using var ssl = await Secure(stream, stop);
            await Converse(ssl, tls: true, greet: true, stop);
            return;
        }
        // STARTTLS ends the plain-text conversation; it goes on over TLS, without a new greeting.
        if (!await Converse(stream, tls: false, greet: true, stop)) return;
        await using var upgraded = await Secure(stream, stop);
        await Converse(upgraded, tls: true, greet: false, stop);
    }

    /// <summary>One conversation over one stream; true when the client asked for STARTTLS.</summary>
    async Task<bool> Converse(Stream stream, bool tls, bool greet, CancellationToken stop)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        using var writer = new StreamWriter(stream, Encoding.ASCII, leaveOpen: true) { NewLine = "\r\n", AutoFlush = true };
        if (greet)
        {
            if (TakeFailure())
            {
                await writer.WriteLineAsync("421 4.7.0 Too many connections, try again later");
                return false;
            }
            await writer.WriteLineAsync("220 sim.local ESMTP simulator");
        }
        string? from = null;
        var to = new List<string>();
        var authenticated = false;
        while (await reader.ReadLineAsync(stop) is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            var arg = line.Length > verb.Length ? line[(verb.Length + 1)..] : "";
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-sim.local");
                    if (!tls) await writer.WriteLineAsync("250-STARTTLS");
                    await writer.WriteLineAsync("250 AUTH LOGIN PLAIN");
                    break;
                case "HELO":
                    await writer.WriteLineAsync("250 sim.local");
                    break;
                case "STARTTLS":
                    if (tls) { await writer.WriteLineAsync("503 5.5.1 TLS already active"); break; }
                    await writer.WriteLineAsync("220 2.0.0 Ready to start TLS");
                    return true;
                case "AUTH":
                    if (RequireTls && !tls) { await writer.WriteLineAsync("530 5.7.0 Must issue a STARTTLS command first"); break; }
                    authenticated = await Authenticate(arg, reader, writer, stop);
                    await writer.WriteLineAsync(authenticated ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
                    break;
                case "MAIL":
                    if (!authenticated) { await writer.WriteLineAsync("530 5.7.0 Authentication required"); break; }
                    from = Address(arg);
                    await writer.WriteLineAsync("250 2.1.0 OK");
                    break;
                case "RCPT":
                    var rcpt = Address(arg);
                    if (rcpt.Contains("reject", StringComparison.OrdinalIgnoreCase)) { await writer.WriteLineAsync($"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"); break; }
                    to.Add(rcpt);
                    await writer.WriteLineAsync("250 2.1.5 OK");
                    break;
                case "DATA":
                    if (from is null || to.Count == 0) { await writer.WriteLineAsync("503 5.5.1 Bad sequence of commands"); break; }
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(stop) is { } d && d != ".") data.Append(d.StartsWith("..", StringComparison.Ordinal) ? d[1..] : d).Append("\r\n");
                    Record(from, to, data.ToString(), tls);
                    (from, to) = (null, []);
                    await writer.WriteLineAsync("250 2.0.0 Queued");
                    break;
                case "RSET":
                    (from, to) = (null, []);
                    await writer.WriteLineAsync("250 2.0.0 OK");
                    break;
                case "NOOP":
                    await writer.WriteLineAsync("250 2.0.0 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return false;
                default:
                    await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                    break;
            }
        }
        return false;
    }

    static async Task<bool> Authenticate(string arg, StreamReader reader, StreamWriter writer, CancellationToken stop)
    {
        var parts = arg.Split(' ', 2);
        var mechanism = parts[0].ToUpperInvariant();
        if (mechanism == "PLAIN")
        {
            var payload = parts.Length > 1 ? parts[1] : await Challenge("", reader, writer, stop);
            var fields = Decode(payload).Split('\0');
            return fields.Length == 3 && fields[1] == User && fields[2] == Password;
        }
        if (mechanism == "LOGIN")
        {
            var user = parts.Length > 1 ? Decode(parts[1]) : Decode(await Challenge("VXNlcm5hbWU6", reader, writer, stop));
            var password = Decode(await Challenge("UGFzc3dvcmQ6", reader, writer, stop));
            return user == User && password == Password;
        }
        return false;
    }

    static async Task<string> Challenge(string prompt, StreamReader reader, StreamWriter writer, CancellationToken stop)
    {
        await writer.WriteLineAsync($"334 {prompt}");
        return await reader.ReadLineAsync(stop) ?? "";
    }

    static string Decode(string base64)
    {
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(base64.Trim())); }
        catch (FormatException) { return ""; }
    }

    static string Address(string arg)
    {
        var start = arg.IndexOf('<');
        var end = arg.IndexOf('>');
        return start >= 0 && end > start ? arg[(start + 1)..end] : arg.Split(':', 2).Last().Trim();
    }

    void Record(string? from, List<string> to, string raw, bool tls)
    {
        var message = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(raw)));
        var html = message.HtmlBody;
        Sent.Enqueue(new JsonObject
        {
            ["from"] = from,
            ["from_name"] = message.From.Mailboxes.FirstOrDefault()?.Name,
            ["to"] = new JsonArray(to.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
            ["to_names"] = new JsonArray(message.To.Mailboxes.Select(m => (JsonNode)JsonValue.Create(m.Name ?? "")!).ToArray()),
            ["subject"] = message.Subject,
            ["raw_headers"] = raw[..Math.Max(0, raw.IndexOf("\r\n\r\n", StringComparison.Ordinal))],
            ["content_type"] = message.Body?.ContentType.MimeType,
            ["html"] = html is not null,
            ["body"] = html ?? message.TextBody,
            ["text"] = message.TextBody,
            ["tls"] = tls,
        });
    }

    public override async ValueTask DisposeAsync()
    {
        _stop?.Cancel();
        _listener?.Stop();
        _sslListener?.Stop();
        _stop?.Dispose();
        _certificate?.Dispose();
        await base.DisposeAsync();
    }
}
