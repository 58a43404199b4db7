using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd.Fuzz;

/// <summary>
/// Hostile input against the control protocol of the real gateway over real WebSockets: every
/// case gets an error frame or a close, never a crash, and a fresh connection's health call
/// works after each batch.
/// </summary>
public sealed class ProtocolFuzzTests : RunningGatewayTests
{

    /// <summary>Params every method's handler reads, with valid values, so that one field at a time can be made wrong.</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> ValidParams = new()
    {
        ["health"] = [],
        ["status"] = [],
        ["gateway.history"] = [],
        ["gateway.restart.preflight"] = [],
        ["gateway.restart.request"] = new()
        {
            ["reason"] = "\"fuzz\"",
            ["skipDeferral"] = "false",
            ["interruptActiveWork"] = "false",
            ["requestedAt"] = "1",
            ["ifBootId"] = "\"no-such-boot\"",
            ["restartIntent"] = "{}"
        },
        ["chat.send"] = new()
        {
            ["sessionKey"] = "\"s\"",
            ["message"] = "\"m\"",
            ["idempotencyKey"] = "\"k\"",
            ["agent"] = "\"echo\"",
            ["expectFinal"] = "false",
            ["timeoutMs"] = "1000"
        },
        ["chat.abort"] = new() { ["sessionKey"] = "\"s\"", ["runId"] = "\"r\"" },
        ["chat.history"] = new() { ["sessionKey"] = "\"s\"", ["limit"] = "10" },
        ["sessions.list"] = [],
        ["logs.tail"] = new() { ["cursor"] = "0", ["limit"] = "10", ["maxBytes"] = "1000" },
        ["tasks.create"] = new()
        {
            ["command"] = "\"true\"",
            ["label"] = "\"l\"",
            ["title"] = "\"t\"",
            ["sessionKey"] = "\"s\"",
            ["restartable"] = "false",
            ["timeoutMs"] = "1000"
        },
        ["tasks.list"] = new() { ["status"] = "\"queued\"", ["sessionKey"] = "\"s\"", ["limit"] = "10", ["cursor"] = "\"c\"" },
        ["tasks.get"] = new() { ["taskId"] = "\"t\"" },
        ["tasks.cancel"] = new() { ["taskId"] = "\"t\"", ["reason"] = "\"r\"" },
    };

    /// <summary>Values of every JSON kind; for each field, those not of its kind (by its valid value) are sent.</summary>
    private static readonly string[] Values = ["\"text\"", "42", "1.5", "-1", "true", "null", "[]", "[1,2]", "{}", "{\"a\":1}", "99999999999999999999999"];

    [Fact]
    public async Task EveryMethod_RefusesNonObjectParams_AndStrayFields_AsInvalidRequest()
    {
        var (client, hello) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
        await using var _ = client;
        var methods = hello.GetProperty("features").GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToList();
        // The test's table must know every method the gateway announces (a new method gets its row here too).
        Assert.Equal(ValidParams.Keys.Order(StringComparer.Ordinal), methods.Order(StringComparer.Ordinal));

        foreach (var method in methods)
        {
            foreach (var notAnObject in new[] { "\"status\"", "42", "[1]", "true", "\"\"" })
            {
                AssertInvalid(await client.RequestAsync(method, notAnObject), $"invalid {method} params: expected an object", $"{method} {notAnObject}");
            }
            AssertInvalid(await client.RequestAsync(method, """{"fuzzExtra":1}"""), "unexpected property 'fuzzExtra'", method);
            var valid = ValidParams[method];
            if (valid.Count > 0)
            {
                AssertInvalid(await client.RequestAsync(method, Object(valid, ("fuzzExtra", "true"))), "unexpected property 'fuzzExtra'", method);
            }
        }
        AssertInvalid(await client.RequestAsync("gateway.restart.request", """{"restartIntent":{"force":true,"fuzz":1}}"""),
            "unexpected property 'fuzz'", "restartIntent");
        AssertInvalid(await client.RequestAsync("gateway.restart.request", """{"restartIntent":"now"}"""), "expected an object", "restartIntent");
        // An absent, null or empty params is well-formed for a method without required fields.
        foreach (var method in new[] { "health", "status", "gateway.restart.preflight", "sessions.list", "gateway.history" })
        {
            Assert.True((await client.RequestAsync(method)).GetProperty("ok").GetBoolean(), method);
            Assert.True((await client.RequestAsync(method, "null")).GetProperty("ok").GetBoolean(), method);
            Assert.True((await client.RequestAsync(method, "{}")).GetProperty("ok").GetBoolean(), method);
        }
        // Names OpenClaw's clients send and ClawSharp ignores are accepted.
        Assert.True((await client.RequestAsync("health", """{"probe":false}""")).GetProperty("ok").GetBoolean());
        await AssertUsableAsync();
    }

    [Fact]
    public async Task EveryField_OfTheWrongType_OrMissing_IsRefused_NamingTheField()
    {
        var (client, _) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
        await using var __ = client;
        foreach (var (method, valid) in ValidParams)
        {
            foreach (var (field, good) in valid)
            {
                var goodKind = JsonDocument.Parse(good).RootElement.ValueKind;
                foreach (var value in Values)
                {
                    var kind = JsonDocument.Parse(value).RootElement.ValueKind;
                    // null means absent for an optional field; a same-kind value may be valid (bounds are tested elsewhere).
                    if (kind == goodKind || kind == JsonValueKind.Null || (goodKind is JsonValueKind.True or JsonValueKind.False && kind is JsonValueKind.True or JsonValueKind.False))
                    {
                        continue;
                    }
                    var response = await client.RequestAsync(method, Object(valid, (field, value)));
                    AssertInvalid(response, field, $"{method}.{field} = {value}");
                }
            }
        }
        // An escaped lone surrogate is valid JSON but no text.
        AssertInvalid(await client.RequestAsync("chat.send", Object(ValidParams["chat.send"], ("message", "\"\\ud800\""))),
            "message is not valid Unicode text", "lone surrogate");
        AssertInvalid(await client.RequestAsync("tasks.get", """{"taskId":"\udfff x"}"""), "taskId is not valid Unicode text", "lone surrogate");
        foreach (var (method, required) in new[] { ("chat.send", "sessionKey"), ("chat.send", "message"), ("chat.abort", "sessionKey"),
            ("chat.history", "sessionKey"), ("tasks.create", "command"), ("tasks.get", "taskId"), ("tasks.cancel", "taskId") })
        {
            var without = ValidParams[method].Where(p => p.Key != required).ToDictionary();
            AssertInvalid(await client.RequestAsync(method, Object(without)), $"{required} is required", $"{method} without {required}");
        }
        await AssertUsableAsync();
    }

    [Fact]
    public async Task HostileFrames_GetAnErrorFrameOrAClose_AndTheGatewayStaysUsable()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);
        var cases = new (string Name, Func<ClientWebSocket, Task> Send)[]
        {
            // A well-formed request in a binary frame is read as text, as OpenClaw's gateway does: see BinaryFrame_IsReadAsText.
            ("truncated JSON", s => Text(s, """{"type":"req","id":"a","method":"hea""")),
            ("empty text frame", s => Text(s, "")),
            ("not JSON", s => Text(s, "hello")),
            ("JSON array", s => Text(s, "[1,2,3]")),
            ("JSON string", s => Text(s, "\"req\"")),
            ("binary frame of garbage", s => s.SendAsync(Encoding.UTF8.GetBytes("""{"type":"req","id":"b","meth"""), WebSocketMessageType.Binary, true, default)),
            ("random binary", s => s.SendAsync(Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919)).ToArray(), WebSocketMessageType.Binary, true, default)),
            ("invalid UTF-8", s => s.SendAsync(new byte[] { 0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d }, WebSocketMessageType.Text, true, default)),
            ("deeply nested frame", s => Text(s, deep)),
            ("deeply nested params", s => Text(s, """{"type":"req","id":"n","method":"chat.send","params":""" + deep + "}")),
            ("id a number", s => Text(s, """{"type":"req","id":7,"method":"health"}""")),
            ("id an object", s => Text(s, """{"type":"req","id":{"a":1},"method":"health"}""")),
            ("id a lone surrogate", s => Text(s, """{"type":"req","id":"\ud800","method":"health"}""")),
            ("method a lone surrogate", s => Text(s, """{"type":"req","id":"ls","method":"heal\udc00th"}""")),
            ("empty id", s => Text(s, """{"type":"req","id":"","method":"health"}""")),
            ("huge id", s => Text(s, """{"type":"req","id":"ID""" + new string('x', 1_000_000) + "\",\"method\":\"nope\"}")),
            ("method a number", s => Text(s, """{"type":"req","id":"m","method":5}""")),
            ("unknown method", s => Text(s, """{"type":"req","id":"u","method":"no.such.method"}""")),
            ("control characters in the method", s => Text(s, "{\"type\":\"req\",\"id\":\"c\",\"method\":\"he\\u0000al\\nth\"}")),
            ("type res", s => Text(s, """{"type":"res","id":"r","ok":true}""")),
            ("second connect", s => Text(s, """{"type":"req","id":"c2","method":"connect","params":""" + RawProtocolClient.ConnectParams(Token) + "}")),
            ("duplicate keys", s => Text(s, """{"type":"req","id":"d","method":"status","method":"status","params":[],"params":[]}""")),
            ("oversized frame (past maxPayload)", s => s.SendAsync(new byte[26_214_400 + 1024], WebSocketMessageType.Text, true, default)),
            ("message never finished", async s =>
            {
                await s.SendAsync(Encoding.UTF8.GetBytes("""{"type":"req","id":"p","""), WebSocketMessageType.Text, false, default);
                s.Abort();
            }),
        };
        foreach (var (name, send) in cases)
        {
            var (client, _) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
            await using (client)
            {
                try
                {
                    await send(client.Socket);
                }
                catch (Exception e) when (e is WebSocketException or IOException)
                {
                    // The gateway closed the socket while the frame was going out (an oversized frame): a close.
                }
                if (client.Socket.State is WebSocketState.Aborted or WebSocketState.Closed)
                {
                    await AssertUsableAsync(name);
                    continue;
                }
                var answer = await NextResponseOrCloseAsync(client);
                if (answer is { } frame)
                {
                    Assert.True(frame.GetProperty("type").GetString() == "res", $"{name}: {frame}");
                    Assert.False(frame.GetProperty("ok").GetBoolean(), $"{name}: answered as if well-formed: {frame}");
                    Assert.Equal("INVALID_REQUEST", frame.GetProperty("error").GetProperty("code").GetString());
                }
                else
                {
                    // Closed: with a close frame (1009 for the oversized frame), or cut while the frame was still arriving.
                    Assert.True(client.CloseStatus is not null || client.Socket.State is WebSocketState.Closed or WebSocketState.Aborted,
                        $"{name}: no answer, and the socket is {client.Socket.State}");
                }
            }
            await AssertUsableAsync(name);
        }
    }

    [Fact]
    public async Task BinaryFrame_IsReadAsText()
    {
        var (client, _) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
        await using var _ = client;
        await client.Socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"req","id":"b","method":"health"}"""), WebSocketMessageType.Binary, true, default);
        var answer = await NextResponseOrCloseAsync(client);
        Assert.True(answer!.Value.GetProperty("ok").GetBoolean(), answer.ToString());
    }

    [Fact]
    public async Task BeforeConnect_HostileFirstFrames_AreRefusedWithAClose()
    {
        var firstFrames = new (string Name, Func<ClientWebSocket, Task> Send)[]
        {
            ("binary", s => s.SendAsync(Encoding.UTF8.GetBytes("""{"type":"req","id":"1","method":"connect"}"""), WebSocketMessageType.Binary, true, default)),
            ("invalid UTF-8", s => s.SendAsync(new byte[] { 0xff, 0xff, 0xff }, WebSocketMessageType.Text, true, default)),
            ("deeply nested", s => Text(s, new string('[', 60_000))),
            ("health before connect", s => Text(s, """{"type":"req","id":"1","method":"health"}""")),
            ("connect with params a string", s => Text(s, """{"type":"req","id":"1","method":"connect","params":"x"}""")),
            ("connect with client a number", s => Text(s, """{"type":"req","id":"1","method":"connect","params":{"minProtocol":4,"maxProtocol":4,"client":5}}""")),
            ("connect with a lone surrogate in client.id", s => Text(s, """{"type":"req","id":"1","method":"connect","params":{"minProtocol":4,"maxProtocol":4,"client":{"id":"\ud800","version":"1","platform":"l","mode":"test"}}}""")),
            ("connect with a lone surrogate in auth.token", s => Text(s, """{"type":"req","id":"1","method":"connect","params":{"minProtocol":4,"maxProtocol":4,"client":{"id":"t","version":"1","platform":"l","mode":"test"},"auth":{"token":"\udfff"}}}""")),
            ("connect with protocols as strings", s => Text(s, """{"type":"req","id":"1","method":"connect","params":{"minProtocol":"4","maxProtocol":"4","client":{"id":"t","version":"1","platform":"l","mode":"test"}}}""")),
        };
        foreach (var (name, send) in firstFrames)
        {
            await using var client = await RawProtocolClient.OpenAsync(Gateway.Port);
            Assert.NotNull(await client.ReceiveAsync());
            await send(client.Socket);
            var frames = await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(frames, f => f.TryGetProperty("ok", out var ok) && ok.GetBoolean());
            Assert.True(client.CloseStatus is not null || client.Socket.State is WebSocketState.Closed or WebSocketState.Aborted, name);
            await AssertUsableAsync(name);
        }
    }

    /// <summary>The next response frame (events skipped), or null once the gateway closed the socket.</summary>
    private static async Task<JsonElement?> NextResponseOrCloseAsync(RawProtocolClient client)
    {
        while (await client.ReceiveAsync(TimeSpan.FromSeconds(30)) is { } frame)
        {
            if (frame.GetProperty("type").GetString() != "event")
            {
                return frame;
            }
        }
        return null;
    }

    private static void AssertInvalid(JsonElement response, string messagePart, string what)
    {
        Assert.False(response.GetProperty("ok").GetBoolean(), $"{what}: answered as if well-formed: {response}");
        var error = response.GetProperty("error");
        Assert.True(error.GetProperty("code").GetString() == "INVALID_REQUEST", $"{what}: {response}");
        Assert.Contains(messagePart, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static string Object(Dictionary<string, string> fields, params (string Name, string Value)[] overrides)
    {
        var all = new Dictionary<string, string>(fields);
        foreach (var (name, value) in overrides)
        {
            all[name] = value;
        }
        return "{" + string.Join(",", all.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    private static Task Text(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, default);

    /// <summary>The process is alive and a fresh connection's health call works.</summary>
    private async Task AssertUsableAsync(string after = "")
    {
        Assert.False(Gateway.HasExited, $"the gateway exited after {after}\n{Gateway.AllOutput}");
        var (client, _) = await RawProtocolClient.ConnectAsync(Gateway.Port, Token);
        await using var _ = client;
        var health = await client.RequestAsync("health");
        Assert.True(health.GetProperty("ok").GetBoolean(), $"after {after}: {health}");
    }
}
