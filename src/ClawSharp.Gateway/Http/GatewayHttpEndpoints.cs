using System.Text;
using ClawSharp.Gateway.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Http;

/// <summary>
/// Everything served on the gateway's one port: the probes, and the control protocol as a
/// WebSocket upgrade at <c>/</c>, and the dashboard (a plain GET of <c>/</c>, <see cref="DashboardAssets"/>). A plain switch instead of routing: a handful of fixed
/// paths, no reflection, nothing to start.
/// </summary>
internal sealed class GatewayHttpEndpoints(ReadinessState readiness, ControlProtocolContext protocol, GatewayRuntimeInfo runtime, MessagesEndpoint messages,
    OriginPolicy origins, ILogger logger)
{
    private static readonly byte[] OriginRefusedBody = FrameWriter.ErrorBody(new ProtocolError(ErrorCodes.Forbidden,
        "WebSocket from a web page refused: its Origin is neither the gateway's own nor in gateway.allowedOrigins"));

    private static readonly byte[] LiveBody = Encoding.UTF8.GetBytes("{\"ok\":true,\"status\":\"live\"}");
    private static readonly byte[] NotFoundBody = Encoding.UTF8.GetBytes("{\"ok\":false,\"error\":\"not found\"}");

    public Task HandleAsync(HttpContext context) => context.Request.Path.Value switch
    {
        "/health" or "/healthz" => Probe(context, StatusCodes.Status200OK, LiveBody),
        "/ready" or "/readyz" => Ready(context),
        "/v1/messages" => messages.HandleAsync(context),
        "/" when context.WebSockets.IsWebSocketRequest => ControlAsync(context),
        var path when DashboardAssets.Serves(path) => DashboardAssets.ServeAsync(context),
        _ => Write(context, StatusCodes.Status404NotFound, "application/json", NotFoundBody),
    };

    private Task Ready(HttpContext context)
    {
        var failing = readiness.FailingCheck;
        var body = Encoding.UTF8.GetBytes(failing is null
            ? $"{{\"ready\":true,\"failing\":[],\"uptimeMs\":{runtime.UptimeMs}}}"
            : $"{{\"ready\":false,\"failing\":[\"{failing}\"],\"uptimeMs\":{runtime.UptimeMs}}}");
        return Probe(context, failing is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, body);
    }

    private async Task ControlAsync(HttpContext context)
    {
        // Browsers send Origin on every WebSocket and let any page open one to any address: refused before the upgrade.
        if (!origins.Allows(context.Request.Headers.Origin))
        {
            HttpLog.OriginRefused(logger, "WebSocket upgrade", context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                OriginPolicy.ForLog(context.Request.Headers.Origin));
            await Write(context, StatusCodes.Status403Forbidden, "application/json", OriginRefusedBody).ConfigureAwait(false);
            return;
        }
        using var socket = await WebSocketHandshake.AcceptAsync(context).ConfigureAwait(false);
        var connection = new ControlConnection(socket, protocol, context.Connection.RemoteIpAddress);
        await connection.RunAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static Task Probe(HttpContext context, int status, byte[] body)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }
        context.Response.Headers.CacheControl = "no-store";
        return Write(context, status, "application/json", body);
    }

    private static Task Write(HttpContext context, int status, string contentType, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body).AsTask();
    }
}
