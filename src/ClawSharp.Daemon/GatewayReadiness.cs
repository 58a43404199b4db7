using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Hosting;

namespace ClawSharp.Daemon;

/// <summary>Is a given gateway process ready: does <c>gateway.lock</c> name it, and does it answer <c>/readyz</c> 200 on the port the lock records?</summary>
public static class GatewayReadiness
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>The port it serves when ready, else null.</summary>
    public static async Task<int?> ReadyPortAsync(StateDirectory state, int pid, CancellationToken cancellationToken)
    {
        if (GatewayLock.ReadOwner(state.LockFile) is not { Port: > 0 } owner || owner.Pid != pid)
        {
            return null;
        }
        var host = HealthProbe.ConnectAddress(System.Net.IPAddress.Parse(owner.Bind));
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://{host}:{owner.Port}/readyz"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? owner.Port : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
