using ClawSharp.Gateway.Metrics;
using ClawSharp.Gateway.Agents;
using ClawSharp.Gateway.Work;

namespace ClawSharp.Gateway.Protocol.Methods;

/// <summary><c>chat.send</c>, <c>chat.abort</c>, <c>chat.history</c> and <c>sessions.list</c>.</summary>
internal static class ChatMethods
{
    /// <summary>Largest message accepted: 256 KiB of UTF-8.</summary>
    public const int MaxMessageBytes = 256 * 1024;
    public const int MaxKeyBytes = 256;

    public static MethodRegistry AddChatMethods(this MethodRegistry registry, WorkHost work, ConnectionRegistry connections) =>
        registry
            .Add(new MethodDescriptor("chat.send", Scopes.Write, (call, _) => SendAsync(work, connections, call)))
            .Add(new MethodDescriptor("chat.abort", Scopes.Write, (call, _) => ValueTask.FromResult(Abort(work, call))))
            .Add(new MethodDescriptor("chat.history", Scopes.Read, (call, _) => ValueTask.FromResult(History(work, connections, call))))
            .Add(new MethodDescriptor("sessions.list", Scopes.Read, (_, _) => ValueTask.FromResult(Sessions(work))));

    /// <summary>The checked fields of a message, from <c>chat.send</c> or <c>POST /v1/messages</c>.</summary>
    public sealed record MessageInput(string SessionKey, string Message, string? IdempotencyKey, string? Agent, string? WebhookUrl);

    /// <summary>Reads and checks a message's fields; null with <see cref="ParamReader.Error"/> set when invalid.</summary>
    public static MessageInput? ReadMessage(ParamReader reader, WebhookDestinationPolicy webhooks)
    {
        var sessionKey = reader.String("sessionKey", required: true, MaxKeyBytes);
        var message = reader.String("message", required: true, MaxMessageBytes);
        var idempotencyKey = reader.String("idempotencyKey", required: false, MaxKeyBytes);
        if (idempotencyKey is not null && idempotencyKey.Trim().Length == 0)
        {
            // An empty key would be one key for every message that sends it: the second would be taken for the first.
            reader.Fail("idempotencyKey must not be empty: leave it out, or give each message its own");
        }
        var agent = reader.String("agent", required: false, 32);
        var webhook = reader.String("webhookUrl", required: false, 2048);
        if (agent is not null && !AgentCatalog.Exists(agent))
        {
            reader.Fail($"agent must be one of {string.Join(", ", Configuration.AgentOptions.Names)}");
        }
        if (webhook is not null && webhooks.UrlRefusal(webhook) is { } refusal)
        {
            reader.Fail(refusal);
        }
        return reader.Error is null ? new MessageInput(sessionKey!, message!, idempotencyKey, agent, webhook) : null;
    }

    private static async ValueTask<MethodResult> SendAsync(WorkHost work, ConnectionRegistry connections, MethodCall call)
    {
        var reader = new ParamReader(call.Method, call.Params);
        var input = ReadMessage(reader, work.Webhooks);
        var expectFinal = reader.Boolean("expectFinal");
        var timeoutMs = reader.Integer("timeoutMs", 1, int.MaxValue);
        if (input is null || reader.Error is not null)
        {
            GatewayMetrics.MessageRefused("invalid");
            return MethodResult.Fail(reader.Error!);
        }
        if (work.Gate.IsDraining)
        {
            GatewayMetrics.MessageRefused("draining");
            return MethodResult.Fail(ProtocolError.Draining());
        }
        // Subscribe before accepting: the reply may be published before this method returns.
        connections.Subscribe(call.Caller.ConnectionId, input.SessionKey);
        var accepted = await work.AcceptAsync(input.SessionKey, input.Message, input.IdempotencyKey, input.Agent, input.WebhookUrl).ConfigureAwait(false);
        var ack = new ChatSendAccepted(accepted.RunId, accepted.MessageId, accepted.SessionKey, "accepted", accepted.Duplicate);
        var result = MethodResult.Ok(ack, WorkJsonContext.Default.ChatSendAccepted);
        if (!expectFinal)
        {
            return result;
        }
        return result with
        {
            Final = async cancellationToken =>
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (timeoutMs is { } ms)
                {
                    limit.CancelAfter(TimeSpan.FromMilliseconds(ms));
                }
                try
                {
                    var final = await work.WaitForFinalAsync(accepted.RunId, limit.Token).ConfigureAwait(false);
                    var ok = final.State == "final";
                    var payload = new ChatSendFinal(final.RunId, final.MessageId, final.SessionKey, ok ? "ok" : final.State,
                        ok ? final.Text : null, ok ? null : final.Text);
                    return MethodResult.Ok(payload, WorkJsonContext.Default.ChatSendFinal);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return MethodResult.Fail(new ProtocolError(ErrorCodes.AgentTimeout,
                        $"no reply within {timeoutMs} ms; the run goes on and its reply will arrive as a chat event")
                    { Retryable = false });
                }
            },
        };
    }

    private static MethodResult Abort(WorkHost work, MethodCall call)
    {
        var reader = new ParamReader(call.Method, call.Params);
        var sessionKey = reader.String("sessionKey", required: true, MaxKeyBytes);
        var runId = reader.String("runId", required: false, MaxKeyBytes);
        if (reader.Error is not null)
        {
            return MethodResult.Fail(reader.Error);
        }
        var aborted = work.Abort(sessionKey!, runId);
        return MethodResult.Ok(new ChatAbortResult(true, aborted), WorkJsonContext.Default.ChatAbortResult);
    }

    private static MethodResult History(WorkHost work, ConnectionRegistry connections, MethodCall call)
    {
        var reader = new ParamReader(call.Method, call.Params);
        var sessionKey = reader.String("sessionKey", required: true, MaxKeyBytes);
        var limit = reader.Integer("limit", 1, 1000) ?? 200;
        if (reader.Error is not null)
        {
            return MethodResult.Fail(reader.Error);
        }
        connections.Subscribe(call.Caller.ConnectionId, sessionKey!);
        var messages = work.Store.History(sessionKey!, (int)limit)
            .Select(e => new ChatHistoryMessage(e.Role, e.Content, e.MessageId, e.RunId, e.State, e.Ts, e.Delivery, e.DeliveryError)).ToList();
        return MethodResult.Ok(new ChatHistoryResult(sessionKey!, messages), WorkJsonContext.Default.ChatHistoryResult);
    }

    private static MethodResult Sessions(WorkHost work)
    {
        var sessions = work.Store.Sessions()
            .Select(s => new SessionItem(s.Key, s.Agent, s.WebhookUrl is not null, s.CreatedAt, s.Messages, s.LastActivityAt)).ToList();
        return MethodResult.Ok(new SessionsListResult(sessions), WorkJsonContext.Default.SessionsListResult);
    }
}
