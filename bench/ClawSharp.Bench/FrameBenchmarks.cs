using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ClawSharp.Gateway.Protocol;

namespace ClawSharp.Bench;

/// <summary>Micro: the per-request protocol work (parse a request frame, write a response frame).</summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private static readonly byte[] Request =
        """{"type":"req","id":"r-1","method":"chat.send","params":{"sessionKey":"s","message":"hello","idempotencyKey":"k-1"}}"""u8.ToArray();

    [Benchmark]
    public string? ParseRequest()
    {
        using var document = JsonDocument.Parse(Request);
        return RequestFrame.From(document.RootElement).Method;
    }

    [Benchmark]
    public int WriteResponse() => FrameWriter.Response("r-1", w =>
    {
        w.WriteStartObject();
        w.WriteString("runId", "run_0123456789abcdef0123");
        w.WriteString("status", "accepted");
        w.WriteEndObject();
    }).Length;
}
