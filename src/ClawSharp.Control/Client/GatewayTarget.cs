using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Client;

/// <summary>Where a client command connects and with what secret.</summary>
internal sealed record GatewayTarget(Uri Url, string? Token, string? Password)
{
    /// <summary>
    /// Finds the gateway of a state directory: the port from <c>gateway.lock</c>, the token
    /// from config.json or the token file. <paramref name="url"/> and <paramref name="token"/>
    /// override what the directory says.
    /// </summary>
    /// <exception cref="GatewayCallException">No gateway is recorded and no URL was given.</exception>
    public static GatewayTarget Resolve(StateDirectory state, string? url, string? token, string? passwordFile)
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
        var password = passwordFile is null ? config?.Gateway.Password : File.ReadAllText(passwordFile).Trim();
        var secret = token ?? config?.Gateway.Token ?? TokenStore.TryRead(state);
        if (url is not null)
        {
            return new GatewayTarget(new Uri(url), secret, password);
        }
        var owner = GatewayLock.ReadOwner(state.LockFile)
            ?? throw new GatewayCallException("NOT_RUNNING",
                $"no gateway is running for {state.Root} (gateway.lock names none); start one with 'clawsharp gateway run', or pass --url");
        var host = LocalAddress.For(System.Net.IPAddress.Parse(owner.Bind));
        return new GatewayTarget(new Uri($"ws://{host}:{owner.Port}"), secret, password);
    }
}
