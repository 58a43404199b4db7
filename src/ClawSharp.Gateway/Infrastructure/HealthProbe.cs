using System.Net;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>Asks <c>/healthz</c> whether something healthy answers on a port (readiness of a given process: <c>Claim.GatewayReadiness</c>).</summary>
internal static class HealthProbe
{
    public static Task<bool> IsHealthyAsync(IPAddress bind, int port, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        AnswersOkAsync(bind, port, "/healthz", timeout, cancellationToken);

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
