using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Gateway.Protocol.Methods;
using ClawSharp.Gateway.Restart;

namespace ClawSharp.Control.Client;

/// <summary>
/// Typed calls: the gateway's own payload records, read with the gateway's own source-generated
/// contexts (<see cref="ProtocolJsonContext"/>, <see cref="RestartJsonContext"/>,
/// <see cref="WorkJsonContext"/>), so that what the CLI reprints is what the gateway wrote.
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
    /// <param name="reason">Why, for the gateway's log.</param>
    /// <param name="skipDeferral">Ask to skip the drain (honoured only when nothing is active).</param>
    /// <param name="requestedAt">When the operator asked: a generation that started later already satisfies the request.</param>
    /// <param name="cancellationToken">Ends the wait for the answer.</param>
    public async Task<RestartRequestResult> RequestRestartAsync(string reason, bool skipDeferral, DateTimeOffset? requestedAt, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("gateway.restart.request", w =>
        {
            w.WriteStartObject();
            w.WriteString("reason", reason);
            if (requestedAt is { } at)
            {
                w.WriteNumber("requestedAt", at.ToUnixTimeMilliseconds());
            }
            if (skipDeferral)
            {
                w.WriteBoolean("skipDeferral", true);
            }
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return Read("gateway.restart.request", answer, RestartJsonContext.Default.RestartRequestResult);
    }

    /// <summary><c>chat.send</c>: queues a message; the acknowledgement names the message and its run.</summary>
    /// <param name="sessionKey">The session.</param>
    /// <param name="message">The text.</param>
    /// <param name="idempotencyKey">Sending the same key again returns the first message.</param>
    /// <param name="agent">The agent of a new session; null for the configured default.</param>
    /// <param name="cancellationToken">Ends the wait for the answer.</param>
    public async Task<ChatSendAccepted> SendAsync(string sessionKey, string message, string idempotencyKey, string? agent,
        CancellationToken cancellationToken)
    {
        var answer = await CallAsync("chat.send", w => WriteSendParams(w, sessionKey, message, idempotencyKey, agent, expectFinal: false), cancellationToken)
            .ConfigureAwait(false);
        return Read("chat.send", answer, WorkJsonContext.Default.ChatSendAccepted);
    }

    /// <summary>
    /// <c>chat.send</c> with <c>expectFinal</c>: queues a message and waits for its run to end; the
    /// gateway answers twice, the acknowledgement is passed over and the final answer returned.
    /// </summary>
    /// <inheritdoc cref="SendAsync" path="/param"/>
    public async Task<ChatSendFinal> SendAndWaitAsync(string sessionKey, string message, string idempotencyKey, string? agent,
        CancellationToken cancellationToken)
    {
        await CallAsync("chat.send", w => WriteSendParams(w, sessionKey, message, idempotencyKey, agent, expectFinal: true), cancellationToken)
            .ConfigureAwait(false);
        return Read("chat.send", await ReceiveFinalAsync(cancellationToken).ConfigureAwait(false), WorkJsonContext.Default.ChatSendFinal);
    }

    /// <summary><c>tasks.list</c>: tasks, newest first.</summary>
    /// <param name="status">Only tasks in this state (its protocol name); null for all.</param>
    /// <param name="sessionKey">Only tasks of this session; null for all.</param>
    /// <param name="limit">At most this many; null for the gateway's default.</param>
    /// <param name="cancellationToken">Ends the wait for the answer.</param>
    public async Task<TasksListResult> TasksListAsync(string? status, string? sessionKey, int? limit, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("tasks.list", w =>
        {
            w.WriteStartObject();
            if (status is not null)
            {
                w.WriteString("status", status);
            }
            if (sessionKey is not null)
            {
                w.WriteString("sessionKey", sessionKey);
            }
            if (limit is { } n)
            {
                w.WriteNumber("limit", n);
            }
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return Read("tasks.list", answer, WorkJsonContext.Default.TasksListResult);
    }

    /// <summary><c>tasks.get</c>: one task (an unknown id is an error answer).</summary>
    public async Task<TaskGetResult> TaskGetAsync(string taskId, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("tasks.get", w =>
        {
            w.WriteStartObject();
            w.WriteString("taskId", taskId);
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return Read("tasks.get", answer, WorkJsonContext.Default.TaskGetResult);
    }

    /// <summary><c>tasks.cancel</c>: whether the task exists and whether this call cancelled it.</summary>
    /// <param name="taskId">The task.</param>
    /// <param name="reason">Why, recorded with the task; null for the gateway's default.</param>
    /// <param name="cancellationToken">Ends the wait for the answer.</param>
    public async Task<TaskCancelResult> TaskCancelAsync(string taskId, string? reason, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("tasks.cancel", w =>
        {
            w.WriteStartObject();
            w.WriteString("taskId", taskId);
            if (reason is not null)
            {
                w.WriteString("reason", reason);
            }
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return Read("tasks.cancel", answer, WorkJsonContext.Default.TaskCancelResult);
    }

    /// <summary><c>tasks.create</c>: starts a background task; the answer is the new task.</summary>
    /// <param name="command">Shell command (<c>/bin/sh -c</c>).</param>
    /// <param name="label">Short label, or null.</param>
    /// <param name="title">Longer title, or null.</param>
    /// <param name="restartable">Queue it again if the gateway dies while it runs.</param>
    /// <param name="timeout">How long it may run; null for the gateway's default.</param>
    /// <param name="cancellationToken">Ends the wait for the answer.</param>
    public async Task<TaskGetResult> TaskCreateAsync(string command, string? label, string? title, bool restartable, TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        var answer = await CallAsync("tasks.create", w =>
        {
            w.WriteStartObject();
            w.WriteString("command", command);
            if (label is not null)
            {
                w.WriteString("label", label);
            }
            if (title is not null)
            {
                w.WriteString("title", title);
            }
            w.WriteBoolean("restartable", restartable);
            if (timeout is { } d)
            {
                w.WriteNumber("timeoutMs", (long)d.TotalMilliseconds);
            }
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return Read("tasks.create", answer, WorkJsonContext.Default.TaskGetResult);
    }

    private static void WriteSendParams(Utf8JsonWriter w, string sessionKey, string message, string idempotencyKey, string? agent, bool expectFinal)
    {
        w.WriteStartObject();
        w.WriteString("sessionKey", sessionKey);
        w.WriteString("message", message);
        w.WriteString("idempotencyKey", idempotencyKey);
        if (agent is not null)
        {
            w.WriteString("agent", agent);
        }
        if (expectFinal)
        {
            w.WriteBoolean("expectFinal", true);
        }
        w.WriteEndObject();
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
