using System.Diagnostics;
using System.Net.Sockets;

namespace ClawSharp.Bench;

/// <summary>
/// Safe-restart figures, over real processes: drain reaction (the blocking run's reply reaches
/// the client → the <c>shutdown</c> event of the restart reaches it) and in-process restart
/// time (<c>shutdown</c> event → first 200 on /readyz of the new generation).
/// </summary>
internal static class RestartBench
{
    public static async Task<int> RunAsync(string binary, int rounds)
    {
        Environment.SetEnvironmentVariable("CLAWSHARP_NO_RESPAWN", "1");
        await using var gateway = await BenchGateway.StartAsync(binary, """{ "logs": { "level": "warning" }, "gateway": { "reload": { "cooldownMs": 0 } } }""");
        var reactions = new List<double>();
        var restarts = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            await using var client = await BenchClient.ConnectAsync(gateway.Port, gateway.Token);
            await client.SendMessageAsync($"r{round}", "drain", "/delay 300 blocking");
            while (client.Acks == 0)
            {
                await Task.Delay(1);
            }
            await client.SendRawAsync("""{"type":"req","id":"restart","method":"gateway.restart.request","params":{"reason":"bench"}}""");
            var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
            while (Interlocked.CompareExchange(ref client.ShutdownTicks, 0, 0) == 0 && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(1);
            }
            var shutdown = client.ShutdownTicks;
            var replied = client.RunIdToReplyTicks.Values.Single();
            while (!Ready(gateway.Port))
            {
            }
            var ready = Stopwatch.GetTimestamp();
            reactions.Add((shutdown - replied) * 1000.0 / Stopwatch.Frequency);
            restarts.Add((ready - shutdown) * 1000.0 / Stopwatch.Frequency);
        }
        Console.WriteLine($"drain reaction (reply out -> restart begins), {rounds} rounds: median {Median(reactions):F2} ms, min {reactions.Min():F2}, max {reactions.Max():F2}");
        Console.WriteLine($"in-process restart (shutdown event -> /readyz 200), {rounds} rounds: median {Median(restarts):F2} ms, min {restarts.Min():F2}, max {restarts.Max():F2}");
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static bool Ready(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect("127.0.0.1", port);
            socket.Send("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8);
            var buffer = new byte[32];
            var read = socket.Receive(buffer);
            return read >= 12 && System.Text.Encoding.ASCII.GetString(buffer, 0, 12) == "HTTP/1.1 200";
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
