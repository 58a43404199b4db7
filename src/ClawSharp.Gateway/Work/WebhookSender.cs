using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Storage;

namespace ClawSharp.Gateway.Work;

/// <summary>
/// POSTs a reply to its webhook. Only the status line is read: the body is never read or
/// buffered (a huge answer costs nothing), a redirect is not followed (a 3xx is a failed
/// attempt), no proxy is used, and every address a connection is made to passes the
/// <see cref="WebhookDestinationPolicy"/> after DNS resolution. Its HTTP client is made at the first
/// POST, not at start: most gateways never send a webhook, and the client and its handler were
/// System.Net.Http's code and statics in every idle gateway (bench/RESULTS.md, "Memory").
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private readonly Lazy<HttpClient> http;
    private readonly WebhookDestinationPolicy policy;
    private readonly TimeSpan timeout;

    public WebhookSender(WebhookOptions options, WebhookDestinationPolicy policy)
    {
        this.policy = policy;
        timeout = options.Timeout;
        http = new(CreateClient);
    }

    private HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectCallback = ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            // An unread answer is drained this far for the connection's reuse, then the connection is dropped.
            MaxResponseDrainSize = 16 * 1024,
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),
        };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ClawSharp-webhook", "1"));
        return client;
    }

    /// <summary>One attempt; throws <see cref="OperationCanceledException"/> only when <paramref name="stopping"/> fires.</summary>
    public async Task<WebhookAttempt> PostAsync(PendingReply reply, CancellationToken stopping)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        limit.CancelAfter(timeout);
        try
        {
            using var content = new ByteArrayContent(Body(reply));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(reply.WebhookUrl!)) { Content = content };
            using var response = await http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => WebhookAttempt.Ok,
                >= 300 and < 400 => new WebhookAttempt(false, $"HTTP {status} (redirects are not followed)", false),
                _ => new WebhookAttempt(false, $"HTTP {status}", false),
            };
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new WebhookAttempt(false, $"no answer within {timeout.TotalMilliseconds:F0} ms", false);
        }
        catch (HttpRequestException e) when (Refusal(e) is { } refused)
        {
            return new WebhookAttempt(false, $"refused: {refused.Message}", true);
        }
        catch (HttpRequestException e)
        {
            return new WebhookAttempt(false, e.Message, false);
        }
    }

    public void Dispose()
    {
        if (http.IsValueCreated)
        {
            http.Value.Dispose();
        }
    }

    private static WebhookRefusedException? Refusal(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }

    /// <summary>Resolves the host and connects to the first allowed address that answers; a refused address is never connected to.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        string? refusal = null;
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            if (policy.KindRefusal(address) is { } why)
            {
                refusal ??= $"{host} resolves to {address}, which {why}";
                continue;
            }
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failure = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        if (failure is not null)
        {
            throw failure;
        }
        throw refusal is not null ? new WebhookRefusedException(refusal) : new SocketException((int)SocketError.HostNotFound);
    }

    private static byte[] Body(PendingReply reply)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("messageId", reply.MessageId);
            writer.WriteString("runId", reply.RunId);
            writer.WriteString("sessionKey", reply.SessionKey);
            writer.WriteString("state", reply.State);
            writer.WriteString("text", reply.Text);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }
}
