using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Protocol;

namespace ClawSharp.Control.Client;

/// <summary>
/// A control-protocol client: connect, answer the challenge with <c>connect</c>, then one
/// request at a time. It sends client id and mode <c>cli</c>, which OpenClaw gateways accept too.
/// </summary>
internal sealed partial class GatewayClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket;
    private int nextId;

    private GatewayClient(ClientWebSocket socket, JsonElement hello)
    {
        this.socket = socket;
        Hello = hello;
    }

    /// <summary>The <c>hello-ok</c> payload.</summary>
    public JsonElement Hello { get; }

    public static async Task<GatewayClient> ConnectAsync(GatewayTarget target, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            if (target.Url.Scheme == "wss" && target.TlsTrustFile is { } trust)
            {
                socket.Options.RemoteCertificateValidationCallback = TlsTrust.From(trust);
            }
            try
            {
                await socket.ConnectAsync(target.Url, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException e)
            {
                throw new GatewayCallException("UNREACHABLE", $"cannot reach the gateway at {target.Url}: {e.InnerException?.Message ?? e.Message}");
            }
            var client = new GatewayClient(socket, default);
            using var challenge = await client.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            var hello = await client.RequestAsync("connect", w => WriteConnectParams(w, target), cancellationToken).ConfigureAwait(false);
            return new GatewayClient(socket, hello) { nextId = client.nextId };
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Calls <paramref name="method"/>; returns the payload or throws <see cref="GatewayCallException"/>.</summary>
    public Task<JsonElement> CallAsync(string method, JsonElement? parameters, CancellationToken cancellationToken) =>
        RequestAsync(method, parameters is { } p ? p.WriteTo : null, cancellationToken);

    /// <summary>Calls <paramref name="method"/> and returns the payload; <paramref name="writeParams"/> writes the params object.</summary>
    public Task<JsonElement> CallAsync(string method, Action<Utf8JsonWriter> writeParams, CancellationToken cancellationToken) =>
        RequestAsync(method, writeParams, cancellationToken);

    /// <summary>For calls that answer twice (<c>expectFinal</c>): waits for the second response with the last request's id.</summary>
    public Task<JsonElement> ReceiveFinalAsync(CancellationToken cancellationToken) => ReadResponseAsync($"cli-{nextId}", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        socket.Dispose();
    }

    private async Task<JsonElement> RequestAsync(string method, Action<Utf8JsonWriter>? writeParams, CancellationToken cancellationToken)
    {
        var id = $"cli-{++nextId}";
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "req");
            writer.WriteString("id", id);
            writer.WriteString("method", method);
            if (writeParams is not null)
            {
                writer.WritePropertyName("params");
                writeParams(writer);
            }
            writer.WriteEndObject();
        }
        try
        {
            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            throw new GatewayCallException("UNREACHABLE", $"connection to the gateway failed: {e.Message}");
        }
        return await ReadResponseAsync(id, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonElement> ReadResponseAsync(string id, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var frame = await ReceiveAsync(cancellationToken).ConfigureAwait(false);
            var root = frame.RootElement;
            if (!root.TryGetProperty("type", out var type) || type.GetString() != "res"
                || !root.TryGetProperty("id", out var responseId) || responseId.GetString() != id)
            {
                continue;
            }
            if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
            {
                return root.TryGetProperty("payload", out var payload) ? payload.Clone() : default;
            }
            if (!root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                throw new GatewayCallException("BAD_RESPONSE", "the gateway answered ok:false without an error object; is this a ClawSharp or OpenClaw gateway?");
            }
            throw new GatewayCallException(
                error.TryGetProperty("code", out var code) ? code.GetString() ?? "ERROR" : "ERROR",
                error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "");
        }
    }

    private async Task<JsonDocument> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or IOException)
            {
                throw new GatewayCallException("UNREACHABLE", $"connection to the gateway failed: {e.Message}");
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                // Answer the close at once: the gateway waits for it before it restarts.
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or IOException)
                {
                    // The gateway already dropped the connection: nothing left to answer.
                }
                var reason = string.IsNullOrEmpty(socket.CloseStatusDescription) ? "" : $": {socket.CloseStatusDescription}";
                throw new GatewayCallException("CLOSED", $"the gateway closed the connection ({(int?)socket.CloseStatus}){reason}");
            }
            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.WrittenMemory);
            }
        }
    }

    private static void WriteConnectParams(Utf8JsonWriter writer, GatewayTarget target)
    {
        writer.WriteStartObject();
        writer.WriteNumber("minProtocol", ProtocolConstants.Version);
        writer.WriteNumber("maxProtocol", ProtocolConstants.Version);
        writer.WriteStartObject("client");
        writer.WriteString("id", "cli");
        writer.WriteString("version", GatewayVersion.Current);
        writer.WriteString("platform", OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : "windows");
        writer.WriteString("mode", "cli");
        writer.WriteString("displayName", "clawsharp cli");
        writer.WriteEndObject();
        writer.WriteString("role", "operator");
        writer.WriteStartArray("scopes");
        writer.WriteStringValue(Scopes.Admin);
        writer.WriteEndArray();
        writer.WriteStartObject("auth");
        if (target.Token is not null)
        {
            writer.WriteString("token", target.Token);
        }
        if (target.Password is not null)
        {
            writer.WriteString("password", target.Password);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
