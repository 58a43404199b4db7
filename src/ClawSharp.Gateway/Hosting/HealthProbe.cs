using System.Net;

namespace ClawSharp.Gateway.Hosting;

/// <summary>Asks <c>/healthz</c> (alive) or <c>/readyz</c> (serving) whether a gateway answers on a port.</summary>
public static class HealthProbe
{
    public static Task<bool> IsHealthyAsync(IPAddress bind, int port, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AnswersOkAsync(bind, port, "/healthz", timeout, cancellationToken);

    /// <summary>
    /// True when <c>/readyz</c> answers 200. A TCP accept proves nothing after a respawn: a
    /// handed-over listening socket accepts (into its backlog) whoever holds it (PROTOCOL.md).
    /// </summary>
    public static Task<bool> IsReadyAsync(IPAddress bind, int port, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AnswersOkAsync(bind, port, "/readyz", timeout, cancellationToken);

    private static async Task<bool> AnswersOkAsync(IPAddress bind, int port, string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var host = ConnectAddress(bind);
        using var client = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await client.GetAsync(new Uri($"http://{host}:{port}{path}"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Where a local client reaches a gateway bound to <paramref name="bind"/>.</summary>
    public static string ConnectAddress(IPAddress bind)
    {
        if (bind.Equals(IPAddress.Any))
        {
            return "127.0.0.1";
        }
        if (bind.Equals(IPAddress.IPv6Any))
        {
            return "[::1]";
        }
        return bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
    }
}
