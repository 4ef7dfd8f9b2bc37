using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace Workflows.Simulators;

/// <summary>
/// A tiny SMTP server on a TcpListener (127.0.0.1, a free port): EHLO, AUTH LOGIN/PLAIN, MAIL, RCPT,
/// DATA, QUIT; one message per connection is enough for System.Net.Mail. Wrong credentials get 535;
/// a recipient containing "reject" gets 550; the configured failures get 421 at the greeting.
/// Received messages are at GET /sent on the simulator's HTTP side.
/// </summary>
public sealed class SmtpSimulator : HttpSimulator
{
    public const string User = "robot@shop.example";
    public const string Password = "demo-smtp-password";
    TcpListener? _listener;
    CancellationTokenSource? _stop;

    public int SmtpPort { get; private set; }

    public override async Task StartAsync()
    {
        await base.StartAsync();
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        SmtpPort = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _stop = new CancellationTokenSource();
        _ = Task.Run(() => AcceptLoop(_stop.Token));
    }

    protected override void Map(WebApplication app) { }

    async Task AcceptLoop(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener!.AcceptTcpClientAsync(stop); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try { await Session(client, stop); }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
                }
            }, stop);
        }
    }

    async Task Session(TcpClient client, CancellationToken stop)
    {
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        if (TakeFailure())
        {
            await writer.WriteLineAsync("421 4.7.0 Too many connections, try again later");
            return;
        }
        await writer.WriteLineAsync("220 sim.local ESMTP simulator");
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
                    await writer.WriteLineAsync("250-AUTH LOGIN PLAIN");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "HELO":
                    await writer.WriteLineAsync("250 sim.local");
                    break;
                case "AUTH":
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
                    if (rcpt.Contains("reject", StringComparison.OrdinalIgnoreCase)) { await writer.WriteLineAsync($"550 5.1.1 <{rcpt}>: Recipient address rejected: mailbox unavailable"); break; }
                    to.Add(rcpt);
                    await writer.WriteLineAsync("250 2.1.5 OK");
                    break;
                case "DATA":
                    if (to.Count == 0) { await writer.WriteLineAsync("554 5.5.1 No valid recipients"); break; }
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(stop) is { } d && d != ".")
                        data.Append(d.StartsWith("..", StringComparison.Ordinal) ? d[1..] : d).Append("\r\n");
                    Record(from, to, data.ToString());
                    await writer.WriteLineAsync("250 2.0.0 OK queued");
                    to = [];
                    break;
                case "RSET":
                    to = [];
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "NOOP":
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                    break;
            }
        }
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

    void Record(string? from, List<string> to, string raw)
    {
        var split = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split >= 0 ? raw[..split] : raw;
        var body = split >= 0 ? raw[(split + 4)..] : "";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var h in head.Split("\r\n"))
        {
            if (h.Length > 0 && char.IsWhiteSpace(h[0]) && last is not null) { headers[last] += h.Trim(); continue; }
            var colon = h.IndexOf(':');
            if (colon <= 0) continue;
            last = h[..colon].Trim();
            headers[last] = h[(colon + 1)..].Trim();
        }
        var encoding = headers.GetValueOrDefault("Content-Transfer-Encoding", "").ToLowerInvariant();
        var text = encoding switch
        {
            "base64" => Decode(body.Replace("\r\n", "")),
            "quoted-printable" => QuotedPrintable(body),
            _ => body.TrimEnd('\r', '\n'),
        };
        Sent.Enqueue(new JsonObject
        {
            ["from"] = from,
            ["to"] = new JsonArray(to.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
            ["subject"] = DecodeWords(headers.GetValueOrDefault("Subject", "")),
            ["content_type"] = headers.GetValueOrDefault("Content-Type", ""),
            ["html"] = headers.GetValueOrDefault("Content-Type", "").Contains("text/html", StringComparison.OrdinalIgnoreCase),
            ["body"] = text,
        });
    }

    static string QuotedPrintable(string text)
    {
        var joined = text.Replace("=\r\n", "");
        var bytes = new List<byte>();
        for (var i = 0; i < joined.Length; i++)
        {
            if (joined[i] == '=' && i + 2 < joined.Length && Uri.IsHexDigit(joined[i + 1]) && Uri.IsHexDigit(joined[i + 2]))
            {
                bytes.Add(Convert.ToByte(joined.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(joined[i].ToString()));
        }
        return Encoding.UTF8.GetString([.. bytes]).TrimEnd('\r', '\n');
    }

    /// <summary>RFC 2047 encoded words (=?utf-8?B?…?= / =?utf-8?Q?…?=), as System.Net.Mail writes non-ASCII subjects.</summary>
    static string DecodeWords(string value)
    {
        var result = new StringBuilder();
        foreach (var word in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = word.Split('?');
            if (parts.Length == 5 && parts[0] == "=" && parts[4] == "=")
                result.Append(parts[2].Equals("B", StringComparison.OrdinalIgnoreCase) ? Decode(parts[3]) : QuotedPrintable(parts[3].Replace('_', ' ')));
            else
            {
                if (result.Length > 0) result.Append(' ');
                result.Append(word);
            }
        }
        return result.ToString();
    }

    public override async ValueTask DisposeAsync()
    {
        _stop?.Cancel();
        _listener?.Stop();
        _stop?.Dispose();
        await base.DisposeAsync();
    }
}
