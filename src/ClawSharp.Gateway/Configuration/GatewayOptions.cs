using System.Net;

namespace ClawSharp.Gateway.Configuration;

/// <summary>Where the gateway listens and how clients authenticate (config object <c>gateway</c>).</summary>
internal sealed class GatewayOptions
{
    /// <summary>Default port: 18790 (OpenClaw uses 18789, so both fit on one host).</summary>
    public const int DefaultPort = 18790;

    /// <summary>The shortest token accepted from <c>gateway.auth.token</c>, <c>--token</c> or <c>gateway.auth.tokens</c>: 16 characters.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>TCP port. Default 18790; 0 lets the OS choose (the chosen port is recorded in <c>gateway.lock</c>).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Bind address. Default loopback (127.0.0.1).</summary>
    public IPAddress Bind { get; init; } = IPAddress.Loopback;

    /// <summary>Authentication mode. Default <see cref="AuthMode.Token"/>.</summary>
    public AuthMode AuthMode { get; init; } = AuthMode.Token;

    /// <summary>Shared token; null means the <c>token</c> file of the state directory (generated on first run).</summary>
    public string? Token { get; init; }

    /// <summary>The file <see cref="Token"/> was read from (<c>--token-file</c>); recorded in <c>gateway.lock</c> for this home's CLI.</summary>
    public string? TokenFile { get; init; }

    /// <summary>Shared password for <see cref="AuthMode.Password"/>. Never taken from a command line.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// Extra tokens with fewer scopes (<c>gateway.auth.tokens</c>), accepted in every auth mode
    /// beside the owner's token or password. Default none.
    /// </summary>
    public IReadOnlyList<NamedToken> Tokens { get; init; } = [];

    /// <summary>
    /// What a client gets with <see cref="AuthMode.None"/> (<c>gateway.auth.noneScopes</c>): never
    /// <c>operator.admin</c>. Default <c>operator.read</c> only.
    /// </summary>
    public IReadOnlySet<string> NoneScopes { get; init; } = new HashSet<string>(StringComparer.Ordinal) { ScopeNames.Read };

    /// <summary>
    /// Web origins, besides the gateway's own, whose pages may open the control WebSocket and
    /// post to <c>/v1/messages</c> (<c>gateway.allowedOrigins</c>, normal form of
    /// <see cref="WebOrigin"/>). Default none.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>The default of <see cref="MaxConnections"/>.</summary>
    public const int DefaultMaxConnections = 4096;

    /// <summary>
    /// How many connections (HTTP, WebSocket, idle ones alike) the port holds open at once
    /// (<c>gateway.maxConnections</c>); one more is closed as soon as it is accepted. Never more
    /// than the process's open-file limit allows (<see cref="Server.ConnectionLimit"/>): a flood of
    /// idle connections that ran the gateway out of descriptors made it exhaust its memory and die.
    /// </summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;
    /// <c>gateway.tls</c>: the server certificate (PEM) and its private key (PEM, mode 600), both
    /// or neither. Set, the gateway serves TLS only (<c>wss://</c>, <c>https://</c>) on its port.
    /// </summary>
    public TlsFiles? Tls { get; init; }

    /// <summary>True when <see cref="Bind"/> only accepts connections from this host.</summary>
    public bool IsLoopbackBind => IPAddress.IsLoopback(Bind);
}
