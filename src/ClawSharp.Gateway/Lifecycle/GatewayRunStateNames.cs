namespace ClawSharp.Gateway.Lifecycle;

/// <summary>How the run state is spelled on the wire (<c>health</c>, <c>status</c>).</summary>
internal static class GatewayRunStateNames
{
    /// <summary>Lower camel case (<c>running</c>, <c>startFailed</c>); a scheduled restart still serves, so it reads <c>running</c>.</summary>
    public static string WireName(GatewayRunState state)
    {
        var name = (state == GatewayRunState.Scheduled ? GatewayRunState.Running : state).ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
