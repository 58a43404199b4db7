using System.Net;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Protocol;

/// <summary>Facts about the running gateway that <c>health</c>, <c>status</c> and <c>hello-ok</c> report.</summary>
internal sealed class GatewayRuntimeInfo
{
    public required string BootId { get; init; }
    public required DateTimeOffset IterationStartedAt { get; init; }
    public required DateTimeOffset ProcessStartedAt { get; init; }
    public required IPEndPoint Endpoint { get; init; }
    public required StateDirectory State { get; init; }
    public required AuthMode AuthMode { get; init; }
    /// <summary>The run loop's state as the wire spells it (<c>running</c>, <c>draining</c>, <c>startFailed</c>).</summary>
    public required Func<string> RunState { get; init; }
    public required TimeProvider Time { get; init; }
    /// <summary>In-process restarts completed so far in this process.</summary>
    public required Func<int> Restarts { get; init; }
    public int Pid { get; } = Environment.ProcessId;
    public string Version { get; } = GatewayVersion.Current;

    public long UptimeMs => (long)(Time.GetUtcNow() - IterationStartedAt).TotalMilliseconds;
}
