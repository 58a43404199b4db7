using System.Net;

namespace ClawSharp.Gateway.Http;

/// <summary>
/// Who may read <c>/metrics</c> (pure): anyone when the gateway listens on a loopback address
/// (only this machine reaches it, as for the probes); with a non-loopback bind, only a request
/// that carries a credential as <c>Authorization: Bearer</c>: the owner token or any named token, every one holding at least read (compared in constant time
/// by <c>Protocol/ConnectAuthenticator</c>; with auth <c>none</c> it is open). Never refused for a drain: an operator watches a
/// restart's drain through it while /readyz says 503.
/// </summary>
internal static class MetricsAccess
{
    public static bool Allowed(IPAddress bound, string? authorizationHeader, Func<string?, bool> tokenMatches)
    {
        if (IPAddress.IsLoopback(bound))
        {
            return true;
        }
        var header = authorizationHeader ?? "";
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        // With auth "none" the authenticator matches anything: the operator chose an open gateway.
        return tokenMatches(token);
    }
}
