using System.Globalization;
using ClawSharp.Gateway.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Http;

/// <summary>
/// The answer to an HTTP request whose bearer credential is missing or wrong (<c>POST
/// /v1/messages</c>, <c>/metrics</c> on a non-loopback bind): logged, counted by the failed-auth
/// throttle the WebSocket handshake shares, 401, or past the limit held back and answered 429
/// with <c>Retry-After</c>. Without it <c>/metrics</c> let a guesser try credentials at full speed.
/// </summary>
internal sealed class BearerRefusal(AuthFailureLimiter limiter, ILogger logger, TimeProvider time)
{
    /// <summary>Answers <paramref name="context"/>; returns whether the answer was the throttle's 429 (false: 401; null: the client left while held).</summary>
    /// <param name="what">What was asked, for the log (<c>POST /v1/messages</c>).</param>
    public async Task<bool?> RefuseAsync(HttpContext context, string what)
    {
        HttpLog.BearerRefused(logger, what, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        if (limiter.RecordFailure(context.Connection.RemoteIpAddress) is not { } throttle)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, new ProtocolError("UNAUTHORIZED",
                "missing or wrong bearer token: send Authorization: Bearer <token> (the token file of the state directory)")).ConfigureAwait(false);
            return false;
        }
        try
        {
            await Task.Delay(throttle.Hold, time, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        var retryAfterMs = (long)Math.Ceiling(throttle.RetryAfter.TotalMilliseconds);
        context.Response.Headers.RetryAfter = ((retryAfterMs + 999) / 1000).ToString(CultureInfo.InvariantCulture);
        await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, new ProtocolError(ErrorCodes.RateLimited,
            $"too many failed auth attempts from {throttle.Bucket}; retry in {(retryAfterMs + 999) / 1000} s")
        { Retryable = true, RetryAfterMs = retryAfterMs }).ConfigureAwait(false);
        return true;
    }

    /// <summary>An error as the HTTP endpoints answer it: the status, and the protocol's error shape as the body.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, ProtocolError error)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(FrameWriter.ErrorBody(error)).AsTask();
    }
}
