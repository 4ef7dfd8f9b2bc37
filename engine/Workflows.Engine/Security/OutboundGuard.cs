using System.Net;
using System.Net.Sockets;

namespace Workflows.Engine.Security;

/// <summary>
/// Keeps API-call nodes and connectors away from this machine and the private network: a connection
/// to a loopback, private, link-local (cloud metadata), unique-local or unspecified address is refused
/// unless <see cref="EngineOptions.OutboundAllow"/> lists it. The check runs on the addresses the
/// name resolves to, at connect time, so DNS tricks and redirects are covered too.
/// </summary>
public sealed class OutboundGuard(IReadOnlyList<string> allow)
{
    readonly (IPAddress Network, int Bits)[] _networks = allow.Select(ParseNetwork).Where(n => n.Bits >= 0).ToArray();
    readonly HashSet<string> _hosts = allow.Where(a => ParseNetwork(a).Bits < 0).Select(a => a.Trim().ToLowerInvariant()).ToHashSet();

    /// <summary>
    /// The HTTP handler of every node's calls: a test task's requests get their pinned answers
    /// (<see cref="TestRuns.PinnedAnswers"/>), every other connection (redirects included) passes the guard.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The sockets handler is owned (and disposed) by the delegating handler it is handed to.")]
    public static HttpMessageHandler CreateHandler(EngineOptions options)
    {
        var guard = new OutboundGuard(options.OutboundAllow);
        return new TestRuns.PinnedAnswers(new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = guard.ConnectAsync,
        });
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "The socket is disposed on failure and owned by the returned NetworkStream (ownsSocket) on success; the analyzer does not follow that hand-over.")]
    async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancel)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancel);
        var allowedHost = _hosts.Contains(host.ToLowerInvariant());
        var usable = addresses.Where(a => allowedHost || IsAllowed(a)).ToArray();
        if (usable.Length == 0)
            throw new OutboundBlockedException($"{host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}: calls to loopback, private and link-local addresses are blocked unless Workflows:OutboundAllow lists them");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, cancel);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (_networks.Any(n => InNetwork(address, n.Network, n.Bits))) return true;
        return !IsInternal(address);
    }

    /// <summary>Loopback, private (RFC 1918, CGNAT), link-local, unique-local, multicast or unspecified.</summary>
    public static bool IsInternal(IPAddress a)
    {
        if (IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any)) return true;
        if (a.AddressFamily == AddressFamily.InterNetworkV6)
            return a.IsIPv6LinkLocal || a.IsIPv6SiteLocal || a.IsIPv6Multicast || (a.GetAddressBytes()[0] & 0xFE) == 0xFC;
        var b = a.GetAddressBytes();
        return b[0] == 10 || b[0] == 0 || b[0] >= 224
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127);
    }

    static (IPAddress Network, int Bits) ParseNetwork(string text)
    {
        var parts = text.Trim().Split('/');
        if (!IPAddress.TryParse(parts[0], out var ip)) return (IPAddress.None, -1);
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var bits = parts.Length > 1 && int.TryParse(parts[1], out var b) ? Math.Clamp(b, 0, max) : max;
        return (ip, bits);
    }

    static bool InNetwork(IPAddress address, IPAddress network, int bits)
    {
        if (address.AddressFamily != network.AddressFamily) return false;
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (n[i] & mask)) return false;
        }
        return true;
    }
}

/// <summary>A call refused by the outbound guard: a permanent error, not a network failure.</summary>
public sealed class OutboundBlockedException(string message) : IOException(message);
