using System.Net.WebSockets;
using System.Text;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

public sealed class ControlProtocolTests : RunningGatewayTests
{

    [Fact]
    public async Task Connect_WithToken_AnswersHelloOk_AndHealthWorks()
    {
        var (client, hello) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
        await using var _ = client;

        Assert.Equal("hello-ok", hello.GetProperty("type").GetString());
        Assert.Equal(4, hello.GetProperty("protocol").GetInt32());
        var methods = hello.GetProperty("features").GetProperty("methods").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Contains("health", methods);
        Assert.Contains("status", methods);
        var events = hello.GetProperty("features").GetProperty("events").EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.Equal(["connect.challenge", "tick", "shutdown", "chat"], events);
        Assert.Equal(26214400, hello.GetProperty("policy").GetProperty("maxPayload").GetInt32());
        Assert.False(string.IsNullOrEmpty(hello.GetProperty("server").GetProperty("bootId").GetString()));

        var health = await client.RequestAsync("health");
        Assert.True(health.GetProperty("ok").GetBoolean());
        Assert.True(health.GetProperty("payload").GetProperty("ok").GetBoolean());
        Assert.Equal(Gateway.Pid, health.GetProperty("payload").GetProperty("pid").GetInt32());

        var status = (await client.RequestAsync("status")).GetProperty("payload");
        Assert.Equal(Gateway.Pid, status.GetProperty("pid").GetInt32());
        Assert.Equal(Gateway.Port, status.GetProperty("port").GetInt32());
        Assert.Equal(Home.Root, status.GetProperty("stateDir").GetString());
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("runtimeVersion").GetString()));
        Assert.True(status.GetProperty("uptimeMs").GetInt64() >= 0);
    }

    [Theory]
    [InlineData("wrong-token", "unauthorized: gateway token mismatch")]
    [InlineData(null, "unauthorized: gateway token missing")]
    public async Task Connect_WithBadOrMissingToken_GetsErrorFrame_ThenClose1008(string? presented, string expected)
    {
        await using var client = await RawProtocolClient.OpenAsync(Gateway.Port);
        await client.ReceiveAsync();
        await client.SendTextAsync($$"""{"type":"req","id":"c1","method":"connect","params":{{RawProtocolClient.ConnectParams(presented)}}}""");

        var response = await client.ReceiveAsync();
        Assert.False(response!.Value.GetProperty("ok").GetBoolean());
        Assert.Equal("c1", response.Value.GetProperty("id").GetString());
        Assert.StartsWith(expected, response.Value.GetProperty("error").GetProperty("message").GetString());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        Assert.StartsWith("unauthorized", client.CloseDescription);
    }

    [Fact]
    public async Task FirstFrameNotConnect_IsRefusedWith1008()
    {
        await using var client = await RawProtocolClient.OpenAsync(Gateway.Port);
        await client.ReceiveAsync();
        await client.SendTextAsync("""{"type":"req","id":"x","method":"health"}""");

        var response = await client.ReceiveAsync();
        Assert.Equal("INVALID_REQUEST", response!.Value.GetProperty("error").GetProperty("code").GetString());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
    }

    [Fact]
    public async Task MalformedFirstFrame_IsRefusedWith1008()
    {
        await using var client = await RawProtocolClient.OpenAsync(Gateway.Port);
        await client.ReceiveAsync();
        await client.SendTextAsync("{not json");

        var response = await client.ReceiveAsync();
        Assert.False(response!.Value.GetProperty("ok").GetBoolean());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
    }

    [Fact]
    public async Task ProtocolMismatch_AnswersExpectedProtocol_ThenClose1002()
    {
        await using var client = await RawProtocolClient.OpenAsync(Gateway.Port);
        await client.ReceiveAsync();
        await client.SendTextAsync($$"""{"type":"req","id":"c1","method":"connect","params":{{RawProtocolClient.ConnectParams(Token, 1, 3)}}}""");

        var error = (await client.ReceiveAsync())!.Value.GetProperty("error");
        Assert.Equal("protocol mismatch", error.GetProperty("message").GetString());
        Assert.Equal(4, error.GetProperty("details").GetProperty("expectedProtocol").GetInt32());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.ProtocolError, client.CloseStatus);
    }

    [Fact]
    public async Task AClientThatNeverConnects_GetsAClose1008SayingHandshakeTimeout()
    {
        await using var client = await RawProtocolClient.OpenAsync(Gateway.Port);
        await client.ReceiveAsync();

        // Nothing sent: the 10 s handshake timeout ends it, with a close frame that says why (not a bare TCP end).
        await client.ReadUntilClosedAsync(ProtocolConstants.HandshakeTimeout + TimeSpan.FromSeconds(20));

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        Assert.Equal("handshake timeout", client.CloseDescription);
    }

    [Fact]
    public async Task OversizedHandshakeFrame_IsRefusedWith1009()
    {
        await using var client = await RawProtocolClient.OpenAsync(Gateway.Port);
        await client.ReceiveAsync();
        await client.SendTextAsync("{\"pad\":\"" + new string('x', 70 * 1024) + "\"}");

        await client.ReadUntilClosedAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
    }

    [Fact]
    public async Task LargeFramesBeingReadAtOnce_AreHeldToOneBudget_ThePastOneIsRefused1013_AndTheHeldOnesAreAnswered()
    {
        // Two clients each send a 25 MiB frame but its last bytes: the gateway holds
        // ~52 MiB of the 64 MiB budget for them. Another large frame is then refused (1013, retryable);
        // before the budget, 40 such clients held 2.4 GB.
        var head = Encoding.UTF8.GetBytes("""{"type":"req","id":"big","method":"health","params":{"pad":" """);
        var pad = new byte[ProtocolConstants.MaxPayloadBytes - head.Length - 64];
        Array.Fill(pad, (byte)'x');
        var holders = new List<RawProtocolClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var (holder, _) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
                holders.Add(holder);
                await holder.Socket.SendAsync(head, WebSocketMessageType.Text, false, CancellationToken.None);
                await holder.Socket.SendAsync(pad, WebSocketMessageType.Text, false, CancellationToken.None);
            }

            // Once the gateway has read the two held frames, a third large one is refused.
            WebSocketCloseStatus? refused = null;
            string? error = null;
            await Eventually.AssertAsync(async () =>
            {
                var (other, _) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
                await using var _ = other;
                try
                {
                    await other.Socket.SendAsync(head, WebSocketMessageType.Text, false, CancellationToken.None);
                    await other.Socket.SendAsync(pad.AsMemory(0, 20 << 20), WebSocketMessageType.Text, false, CancellationToken.None);
                }
                catch (Exception e) when (e is WebSocketException or IOException)
                {
                    // The gateway refused the frame while it was still being sent.
                }
                List<System.Text.Json.JsonElement> frames;
                try
                {
                    frames = await other.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
                }
                catch (OperationCanceledException)
                {
                    // Taken in: the held frames were not all read yet, so this one waits for its end. Again.
                    return false;
                }
                refused = other.CloseStatus;
                error = frames.Select(f => f.TryGetProperty("error", out var e) ? e.GetProperty("message").GetString() : null).FirstOrDefault(m => m is not null);
                return refused == (WebSocketCloseStatus)1013;
            }, TimeSpan.FromSeconds(60), "a large frame past the budget to be refused with 1013");
            Assert.StartsWith("the gateway is reading too many large frames at once", error);

            // The held frames are whole requests once their last bytes arrive: answered (the pad is refused as a param, by id).
            foreach (var holder in holders)
            {
                await holder.Socket.SendAsync("\"}}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
                var answer = await holder.ReceiveAsync(TimeSpan.FromSeconds(30));
                Assert.Equal("big", answer!.Value.GetProperty("id").GetString());
            }
        }
        finally
        {
            foreach (var holder in holders)
            {
                await holder.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AfterHandshake_BadFramesGetErrors_AndTheConnectionStaysUsable()
    {
        var (client, _) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
        await using var _ = client;

        var unknown = await client.RequestAsync("no.such.method");
        Assert.Equal("INVALID_REQUEST", unknown.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("unknown method: no.such.method", unknown.GetProperty("error").GetProperty("message").GetString());

        await client.SendTextAsync("[1,2,3");
        var malformed = await client.ReceiveAsync();
        Assert.StartsWith("malformed frame", malformed!.Value.GetProperty("error").GetProperty("message").GetString());

        await client.SendTextAsync("""{"type":"req","method":"health"}""");
        var missingId = await client.ReceiveAsync();
        Assert.Equal("INVALID_REQUEST", missingId!.Value.GetProperty("error").GetProperty("code").GetString());

        var again = await client.RequestAsync("connect", RawProtocolClient.ConnectParams(Token));
        Assert.Equal("already connected", again.GetProperty("error").GetProperty("message").GetString());

        var health = await client.RequestAsync("health");
        Assert.True(health.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task ReadOnlyScope_MayCallHealth()
    {
        await using var client = await RawProtocolClient.OpenAsync(Gateway.Port);
        await client.ReceiveAsync();
        var connect = await client.RequestAsync("connect", $$$"""
            {"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","mode":"cli"},"scopes":["operator.read"],"auth":{"token":"{{{Token}}}"}}
            """);
        Assert.True(connect.GetProperty("ok").GetBoolean());
        Assert.Equal(["operator.read"], connect.GetProperty("payload").GetProperty("auth").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.True((await client.RequestAsync("health")).GetProperty("ok").GetBoolean());
    }
}
