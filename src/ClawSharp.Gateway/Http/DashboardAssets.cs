using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace ClawSharp.Gateway.Http;

/// <summary>
/// The dashboard's files (<c>Http/Dashboard/</c>), embedded in the binary as manifest resources
/// (<c>dashboard/NAME</c>; no file system, no static-files middleware, nothing to trim away).
/// A file is read from the assembly on its first request only, so an idle gateway that nobody
/// looks at holds none of them. Every answer carries a strict Content-Security-Policy (the page
/// talks to its own origin only, over HTTP and WebSocket), nosniff, and no-store: a new binary's
/// page is what the next load shows.
/// </summary>
internal static class DashboardAssets
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

    /// <summary>URL path → resource name and content type; the page at <c>/</c> is index.html.</summary>
    private static readonly Dictionary<string, (string Resource, string ContentType)> Files = new(StringComparer.Ordinal)
    {
        ["/"] = ("dashboard/index.html", "text/html; charset=utf-8"),
        ["/dashboard/app.js"] = ("dashboard/app.js", "text/javascript; charset=utf-8"),
        ["/dashboard/charts.js"] = ("dashboard/charts.js", "text/javascript; charset=utf-8"),
        ["/dashboard/protocol.js"] = ("dashboard/protocol.js", "text/javascript; charset=utf-8"),
        ["/dashboard/style.css"] = ("dashboard/style.css", "text/css; charset=utf-8"),
        ["/dashboard/icon.svg"] = ("dashboard/icon.svg", "image/svg+xml"),
    };

    private static readonly ConcurrentDictionary<string, byte[]> Loaded = new(StringComparer.Ordinal);

    public static bool Serves(string? path) => path is not null && Files.ContainsKey(path);

    public static Task ServeAsync(HttpContext context)
    {
        var (resource, contentType) = Files[context.Request.Path.Value!];
        var response = context.Response;
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }
        var body = Loaded.GetOrAdd(resource, Load);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        return HttpMethods.IsHead(method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    private static byte[] Load(string resource)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the dashboard resource {resource} is not embedded in this build");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
