using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Client;

/// <summary>Where a client command connects and with what secret.</summary>
internal sealed record GatewayTarget(Uri Url, string? Token, string? Password)
{
    /// <summary>For <c>wss://</c>: a PEM file of the certificates to trust (<see cref="TlsTrust"/>); null = the system's store.</summary>
    public string? TlsTrustFile { get; init; }

    /// <summary>
    /// Finds the gateway of a state directory: the port from <c>gateway.lock</c>, the token
    /// from config.json or the token file. <paramref name="url"/> overrides where to connect; the
    /// home's own credential goes only to the home's own gateway (<see cref="CredentialDestination"/>),
    /// another URL gets only the one given explicitly (<paramref name="token"/>,
    /// <paramref name="tokenFile"/>, <paramref name="passwordFile"/>). No credential goes over plain
    /// <c>ws://</c> to another machine.
    /// </summary>
    /// <exception cref="GatewayCallException">No gateway is recorded and no URL was given.</exception>
    /// <exception cref="ArgumentException">A credential would go over plain ws:// to another machine, or the URL is not ws(s)://.</exception>
    /// <param name="tlsCa">A PEM file of certificates to trust for wss:// (<c>--tls-ca</c>); the home's gateway is trusted by its own certificate otherwise.</param>
    public static GatewayTarget Resolve(StateDirectory state, string? url, string? token, string? passwordFile, string? tokenFile = null, string? tlsCa = null)
    {
        GatewayConfig? config = null;
        try
        {
            config = ConfigLoader.Load(state);
        }
        catch (ConfigException)
        {
            // A broken config must not stop a client from reaching a running gateway.
        }
        var explicitToken = token ?? (tokenFile is null ? null : ReadTokenFile(tokenFile));
        var explicitPassword = passwordFile is null ? null : ReadPasswordFile(passwordFile);
        var owner = GatewayLock.ReadOwner(state.LockFile);
        Uri target;
        bool home;
        if (url is not null)
        {
            target = Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "ws" or "wss"
                ? parsed
                : throw new ArgumentException($"--url must be ws://HOST:PORT or wss://HOST:PORT (the gateway's control WebSocket), got '{url}'");
            home = CredentialDestination.IsHomeGateway(target, owner?.Port ?? config?.Gateway.Port);
        }
        else
        {
            if (owner is null)
            {
                throw new GatewayCallException("NOT_RUNNING",
                    $"no gateway is running for {state.Root} (gateway.lock names none); start one with 'clawsharp gateway run', or pass --url");
            }
            var scheme = config?.Gateway.Tls is null ? "ws" : "wss";
            target = new Uri($"{scheme}://{LocalAddress.For(System.Net.IPAddress.Parse(owner.Bind))}:{owner.Port}");
            home = true;
        }
        var secret = explicitToken ?? (home ? HomeToken(state, owner, config) : null);
        var password = explicitPassword ?? (home ? config?.Gateway.Password : null);
        if (secret is not null || password is not null)
        {
            CredentialDestination.CheckTransport(target);
        }
        return new GatewayTarget(target, secret, password) { TlsTrustFile = tlsCa ?? (home ? config?.Gateway.Tls?.CertificateFile : null) };
    }

    /// <summary>
    /// The token the home's gateway enforces: the token file its lock records (<c>--token-file</c>),
    /// else <c>CLAWSHARP_TOKEN</c> in this environment (the one a gateway started from it read),
    /// else the config's, else the <c>token</c> file.
    /// </summary>
    private static string? HomeToken(StateDirectory state, LockOwner? owner, GatewayConfig? config)
    {
        if (owner?.TokenFile is { } recorded)
        {
            try
            {
                return PrivateSecretFile.Read(recorded, "token file");
            }
            catch (ConfigException)
            {
                // Moved or made unreadable since the start: fall back on what the home says.
            }
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(TokenArguments.EnvironmentVariable);
        return !string.IsNullOrWhiteSpace(fromEnvironment) ? fromEnvironment.Trim() : config?.Gateway.Token ?? TokenStore.TryRead(state);
    }

    /// <summary>
    /// A secret the command line names a file of: the token file must be the user's own (mode 600),
    /// the password file is read as the gateway's own <c>--password-file</c> is. Either file's problem
    /// is a usage error (exit 2) that says the fix.
    /// </summary>
    private static string ReadTokenFile(string path) => AsUsageError(() => PrivateSecretFile.Read(path, "token file"));

    private static string ReadPasswordFile(string path) => AsUsageError(() => ConfigLoader.ReadPasswordFile(path));

    private static string AsUsageError(Func<string> read)
    {
        try
        {
            return read();
        }
        catch (ConfigException e)
        {
            throw new ArgumentException(e.Message);
        }
    }
}
