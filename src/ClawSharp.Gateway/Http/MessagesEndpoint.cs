using System.Globalization;
using System.Text.Json;
using ClawSharp.Gateway.Metrics;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Gateway.Protocol.Methods;
using ClawSharp.Gateway.Work;
using Microsoft.AspNetCore.Http;

namespace ClawSharp.Gateway.Http;

/// <summary>
/// <c>POST /v1/messages</c>, the webhook channel: body <c>{ sessionKey, message, idempotencyKey }</c>,
/// <c>Authorization: Bearer &lt;token&gt;</c>. 202 with the ids once the message is committed;
/// the same key again answers the first message's ids; 503 with <c>GATEWAY_DRAINING</c> and
/// <c>Retry-After</c> while draining.
/// </summary>
internal sealed class MessagesEndpoint(WorkHost work, ConnectAuthenticator authenticator, AuthFailureLimiter limiter)
{
    private const int MaxBodyBytes = ChatMethods.MaxMessageBytes + 16 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.RetryAfterMs(remote) is > 0 and var retryAfter)
        {
            GatewayMetrics.MessageRefused("rate_limited");
            context.Response.Headers.RetryAfter = Math.Ceiling(retryAfter / 1000.0).ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, new ProtocolError(ErrorCodes.RateLimited,
                $"too many failed auth attempts from {remote}; retry in {(retryAfter + 999) / 1000} s")
            { Retryable = true, RetryAfterMs = retryAfter })
                .ConfigureAwait(false);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (!authenticator.Matches(token))
        {
            limiter.RecordFailure(remote);
            GatewayMetrics.MessageRefused("unauthorized");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, new ProtocolError("UNAUTHORIZED",
                "missing or wrong bearer token: send Authorization: Bearer <token> (the token file of the state directory)")).ConfigureAwait(false);
            return;
        }
        limiter.RecordSuccess(remote);
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            GatewayMetrics.MessageRefused("too_large");
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge,
                ProtocolError.Invalid($"body too large: the limit is {MaxBodyBytes} bytes")).ConfigureAwait(false);
            return;
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            GatewayMetrics.MessageRefused("invalid");
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, ProtocolError.Invalid($"body is not valid JSON: {e.Message}")).ConfigureAwait(false);
            return;
        }
        using (document)
        {
            var reader = new ParamReader("POST /v1/messages", document.RootElement);
            var input = ChatMethods.ReadMessage(reader);
            if (input is null)
            {
                GatewayMetrics.MessageRefused("invalid");
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, reader.Error!).ConfigureAwait(false);
                return;
            }
            if (work.Gate.IsDraining)
            {
                GatewayMetrics.MessageRefused("draining");
                context.Response.Headers.RetryAfter = Math.Ceiling(DrainGate.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, ProtocolError.Draining()).ConfigureAwait(false);
                return;
            }
            var accepted = work.Accept(input.SessionKey, input.Message, input.IdempotencyKey, input.Agent, input.WebhookUrl);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body,
                new ChatSendAccepted(accepted.RunId, accepted.MessageId, accepted.SessionKey, "accepted", accepted.Duplicate),
                WorkJsonContext.Default.ChatSendAccepted, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Task WriteErrorAsync(HttpContext context, int status, ProtocolError error)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(FrameWriter.ErrorBody(error)).AsTask();
    }
}
