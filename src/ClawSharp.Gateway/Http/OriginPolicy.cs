using System.Net;
using System.Net.Sockets;
using System.Text;
using ClawSharp.Gateway.Configuration;
using Microsoft.Extensions.Primitives;

namespace ClawSharp.Gateway.Http;

/// <summary>
/// Which web pages may use the gateway from a browser. A request without an <c>Origin</c>
/// header (the CLI, scripts, other programs) is not a page and is let through; a request with
/// one is let through only from the gateway's own origin or one in <c>gateway.allowedOrigins</c>.
/// The own origin is derived from the socket the gateway listens on, never from the
/// <c>Host</c> header: a page of <c>http://evil.example:PORT</c> whose name was re-pointed at
/// 127.0.0.1 (DNS rebinding) sends its own origin, which is refused.
/// </summary>
internal sealed class OriginPolicy
{
    /// <summary>How much of a refused origin a log line keeps.</summary>
    public const int MaxLoggedLength = 200;

    private readonly HashSet<string> allowed;

    private OriginPolicy(HashSet<string> allowed) => this.allowed = allowed;

    /// <summary>Every origin let through, own ones first.</summary>
    public IReadOnlyCollection<string> Allowed => allowed;

    /// <summary>
    /// The gateway's own origins on <paramref name="listening"/> (http and https, ready for TLS),
    /// plus <paramref name="allowedOrigins"/>. A loopback bind is reached as 127.0.0.1,
    /// localhost and [::1]; a wildcard bind (0.0.0.0, ::) as those too, its other names only
    /// through the allowlist (its address in a URL means nothing to a browser); another
    /// address as itself.
    /// </summary>
    public static OriginPolicy For(IPEndPoint listening, IReadOnlyList<string> allowedOrigins)
    {
        var hosts = new List<string>();
        var address = listening.Address.IsIPv4MappedToIPv6 ? listening.Address.MapToIPv4() : listening.Address;
        var wildcard = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        if (!wildcard)
        {
            hosts.Add(address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString());
        }
        if (wildcard || IPAddress.IsLoopback(address))
        {
            hosts.AddRange(["127.0.0.1", "localhost", "[::1]"]);
        }
        var origins = new HashSet<string>(StringComparer.Ordinal);
        foreach (var host in hosts)
        {
            foreach (var scheme in new[] { "http", "https" })
            {
                if (WebOrigin.TryNormalize($"{scheme}://{host}:{listening.Port}", out var own))
                {
                    origins.Add(own);
                }
            }
        }
        origins.UnionWith(allowedOrigins);
        return new OriginPolicy(origins);
    }

    /// <summary>True when the request may go on: no <c>Origin</c> header, or every value sent is allowed.</summary>
    public bool Allows(StringValues origin) =>
        origin.Count == 0 || origin.All(value => WebOrigin.TryNormalize(value, out var normal) && allowed.Contains(normal));

    /// <summary>
    /// The header as a log line may show it: what a client sent, with everything outside
    /// printable ASCII escaped (\uXXXX), so it can neither forge a line nor reach the operator's
    /// terminal as an escape sequence, and cut to <see cref="MaxLoggedLength"/> characters.
    /// </summary>
    public static string ForLog(StringValues origin)
    {
        var text = origin.ToString();
        var builder = new StringBuilder(Math.Min(text.Length, MaxLoggedLength) + 8);
        foreach (var c in text)
        {
            if (builder.Length >= MaxLoggedLength)
            {
                builder.Append("…(cut)");
                break;
            }
            if (c is >= ' ' and <= '~' and not '\\')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append($"\\u{(int)c:x4}");
            }
        }
        return builder.ToString();
    }
}
