using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Control.Client;

/// <summary>
/// Typed calls: the gateway's own payload records, read with the gateway's own source-generated
/// contexts (<see cref="ProtocolJsonContext"/>, <see cref="RestartJsonContext"/>), so that what the
/// CLI reprints is what the gateway wrote.
/// </summary>
internal sealed partial class GatewayClient
{
    /// <summary><c>status</c>: the gateway's view of itself (boot id, run state, work counts).</summary>
    public async Task<StatusPayload> StatusAsync(CancellationToken cancellationToken) =>
        Read("status", await CallAsync("status", (JsonElement?)null, cancellationToken).ConfigureAwait(false), ProtocolJsonContext.Default.StatusPayload);

    /// <summary><c>health</c>: liveness, whatever the run state.</summary>
    public async Task<HealthPayload> HealthAsync(CancellationToken cancellationToken) =>
        Read("health", await CallAsync("health", (JsonElement?)null, cancellationToken).ConfigureAwait(false), ProtocolJsonContext.Default.HealthPayload);

    /// <summary><c>gateway.restart.preflight</c>: the active work a safe restart would wait for.</summary>
    public async Task<PreflightResult> PreflightAsync(CancellationToken cancellationToken) =>
        Read("gateway.restart.preflight", await CallAsync("gateway.restart.preflight", (JsonElement?)null, cancellationToken).ConfigureAwait(false),
            RestartJsonContext.Default.PreflightResult);

    /// <summary><c>gateway.restart.request</c>: a safe restart, scheduled or deferred by the gateway.</summary>
    /// <param name="reason">Why, for the gateway's log.</param>
    /// <param name="skipDeferral">Ask to skip the deferral (honoured only when nothing is active).</param>
    /// <param name="cancellationToken">Ends the wait for the answer.</param>
    public async Task<RestartRequestResult> RequestRestartAsync(string reason, bool skipDeferral, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("gateway.restart.request", w =>
        {
            w.WriteStartObject();
            w.WriteString("reason", reason);
            if (skipDeferral)
            {
                w.WriteBoolean("skipDeferral", true);
            }
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return Read("gateway.restart.request", answer, RestartJsonContext.Default.RestartRequestResult);
    }

    private static T Read<T>(string method, JsonElement payload, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(payload, type)
                ?? throw new GatewayCallException("BAD_RESPONSE", $"the gateway answered {method} with no payload");
        }
        catch (JsonException e)
        {
            throw new GatewayCallException("BAD_RESPONSE", $"the gateway's answer to {method} is not understood: {e.Message}");
        }
    }
}
