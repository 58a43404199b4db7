using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Bench;

/// <summary>
/// The load generator's own ceiling: the throughput load against a stand-in gateway in this process
/// that answers every <c>chat.send</c> at once (a <c>res</c> with a run id and its <c>chat</c>
/// event, no store). Both share the machine, so the rate is a floor for what the generator can
/// drive: a gateway measured well below it is not being held back by the client.
/// </summary>
internal static class CeilingBench
{
    private static long answered;

    public static async Task<int> RunAsync(int clients, int perClient, int window)
    {
        await using var app = await StartStandInAsync();
        var port = new Uri(app.Urls.First()).Port;
        var connections = await PipelinedLoad.ConnectAsync(port, "fake", clients, window);
        var outcome = await PipelinedLoad.RunAsync(connections, clients * perClient, Environment.ProcessId, progress: false);
        Console.WriteLine($"ceiling (client and a no-store stand-in in one process): {clients} clients x {perClient} messages: {outcome.Describe()}");
        Console.WriteLine(outcome.Json("ceiling", clients, window));
        foreach (var client in connections)
        {
            await client.DisposeAsync();
        }
        await app.StopAsync();
        return outcome.Complete ? 0 : 1;
    }

    /// <summary>The HTTP client's ceiling: <see cref="HttpBench"/> against the stand-in's <c>POST /v1/messages</c> (202 at once).</summary>
    public static async Task<int> HttpAsync(int messages, int concurrency)
    {
        await using var app = await StartStandInAsync();
        var code = await HttpBench.MeasureAsync("ceiling-http", new Uri(app.Urls.First()).Port, "fake", Environment.ProcessId, messages, concurrency);
        await app.StopAsync();
        return code;
    }

    private static async Task<WebApplication> StartStandInAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(context => context.Request.Path.Value switch
        {
            "/v1/messages" => AcceptPostAsync(context),
            "/metrics" => context.Response.WriteAsync($"clawsharp_messages_answered_total {Interlocked.Read(ref answered)}\n"),
            _ => ServeAsync(context),
        });
        await app.StartAsync();
        return app;
    }

    private static async Task AcceptPostAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        Interlocked.Increment(ref answered);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"runId":"r","messageId":"m","sessionKey":"s","status":"accepted","duplicate":false}""");
    }

    private static async Task ServeAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[64 * 1024];
        await SendAsync(socket, """{"type":"event","event":"connect.challenge","payload":{"nonce":"x"}}""");
        await socket.ReceiveAsync(buffer, CancellationToken.None);
        await SendAsync(socket, """{"type":"res","id":"c","ok":true,"payload":{"server":{"bootId":"ceiling"}}}""");
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return;
            }
            using var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            var id = frame.RootElement.GetProperty("id").GetString();
            await SendAsync(socket, $$$"""{"type":"res","id":"{{{id}}}","ok":true,"payload":{"runId":"r{{{id}}}","messageId":"m{{{id}}}","status":"accepted"}}""");
            await SendAsync(socket, $$$"""{"type":"event","event":"chat","payload":{"runId":"r{{{id}}}","sessionKey":"s","state":"final","message":"hello"}}""");
        }
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
}
