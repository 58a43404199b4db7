using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using ClawSharp.Gateway.Metrics;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Gateway.Protocol.Methods;
using ClawSharp.Gateway.Work;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Http;

/// <summary>
/// <c>POST /v1/messages</c>, the webhook channel: body <c>{ sessionKey, message, idempotencyKey }</c>,
/// <c>Content-Type: application/json</c>, <c>Authorization: Bearer &lt;token&gt;</c> of a credential
/// holding <c>operator.write</c>. 202 with the ids once the message is committed; the same key
/// again answers the first message's ids; 503 with <c>GATEWAY_DRAINING</c> and <c>Retry-After</c>
/// while draining. Order of refusals: 405 not POST; 403 a web page's <c>Origin</c> that is not
/// allowed; 415 not JSON (what a page can send without a CORS preflight); 401 no credential
/// (429 past the failure limit); 403 a credential without write.
/// </summary>
internal sealed class MessagesEndpoint(WorkHost work, ConnectAuthenticator authenticator, AuthFailureLimiter limiter, OriginPolicy origins,
    ILogger logger, TimeProvider time)
{
    private const int MaxBodyBytes = ChatMethods.MaxMessageBytes + 16 * 1024;

    private readonly BearerRefusal bearerRefusal = new(limiter, logger, time);

    public async Task HandleAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "POST";
            return;
        }
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!origins.Allows(context.Request.Headers.Origin))
        {
            GatewayMetrics.MessageRefused("origin");
            HttpLog.OriginRefused(logger, "POST /v1/messages", remote, OriginPolicy.ForLog(context.Request.Headers.Origin));
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, new ProtocolError(ErrorCodes.Forbidden,
                "requests from web pages are refused: this Origin is not in gateway.allowedOrigins")).ConfigureAwait(false);
            return;
        }
        if (!IsJson(context.Request.ContentType))
        {
            GatewayMetrics.MessageRefused("content_type");
            await WriteErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, ProtocolError.Invalid(
                "Content-Type must be application/json")).ConfigureAwait(false);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        // The credential first, the throttle after: a correct token always gets in, however many failures its address has.
        if (authenticator.FromBearer(token) is not { } credential)
        {
            await RefuseUnauthorizedAsync(context).ConfigureAwait(false);
            return;
        }
        if (!Scopes.Satisfies(credential.MaxScopes, Scopes.Write))
        {
            GatewayMetrics.MessageRefused("forbidden");
            HttpLog.ScopeRefused(logger, remote, credential.Name, Scopes.Write);
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, new ProtocolError(ErrorCodes.Forbidden,
                $"missing scope: {Scopes.Write} (credential {credential.Name})")).ConfigureAwait(false);
            return;
        }
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            GatewayMetrics.MessageRefused("too_large");
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge,
                ProtocolError.Invalid($"body too large: the limit is {MaxBodyBytes} bytes")).ConfigureAwait(false);
            return;
        }
        // A chunked body has no Content-Length to refuse up front: the same limit, enforced by Kestrel as the body is read.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = MaxBodyBytes;
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            GatewayMetrics.MessageRefused("too_large");
            await WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge,
                ProtocolError.Invalid($"body too large: the limit is {MaxBodyBytes} bytes")).ConfigureAwait(false);
            return;
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
            var input = ChatMethods.ReadMessage(reader, work.Webhooks);
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
            var accepted = await work.AcceptAsync(input.SessionKey, input.Message, input.IdempotencyKey, input.Agent, input.WebhookUrl).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body,
                new ChatSendAccepted(accepted.RunId, accepted.MessageId, accepted.SessionKey, "accepted", accepted.Duplicate),
                WorkJsonContext.Default.ChatSendAccepted, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private async Task RefuseUnauthorizedAsync(HttpContext context)
    {
        if (await bearerRefusal.RefuseAsync(context, "POST /v1/messages").ConfigureAwait(false) is { } throttled)
        {
            GatewayMetrics.MessageRefused(throttled ? "rate_limited" : "unauthorized");
        }
    }

    /// <summary>
    /// <c>application/json</c>, with or without parameters. A page can POST <c>text/plain</c>,
    /// form or multipart bodies to any address without asking; JSON takes a CORS preflight, which
    /// the gateway never answers.
    /// </summary>
    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    private static Task WriteErrorAsync(HttpContext context, int status, ProtocolError error) => BearerRefusal.WriteErrorAsync(context, status, error);
}
