using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Logging;

namespace ClawSharp.Gateway.Protocol.Methods;

/// <summary>
/// What an operator's page reads besides <c>status</c>: <c>logs.tail</c> (PROTOCOL.md, as OpenClaw)
/// and ClawSharp's <c>gateway.history</c> (the last hour's samples). Both <c>operator.read</c>.
/// </summary>
internal static class OperatorMethods
{
    public const int DefaultTailLines = 500;
    public const int MaxTailLines = 5000;
    public const int DefaultTailBytes = 250_000;
    public const int MaxTailBytes = 1_000_000;

    public static MethodRegistry AddOperatorMethods(this MethodRegistry registry, StateDirectory state, GatewayRuntimeInfo runtime,
        GatewayHistory? history) =>
        registry
            .Add(new MethodDescriptor("logs.tail", Scopes.Read, (call, _) => ValueTask.FromResult(Tail(state, call))))
            .Add(new MethodDescriptor("gateway.history", Scopes.Read, (_, _) => ValueTask.FromResult(History(runtime, history))));

    private static MethodResult Tail(StateDirectory state, MethodCall call)
    {
        var reader = new ParamReader(call.Method, call.Params);
        var cursor = reader.Integer("cursor", 0, long.MaxValue);
        var limit = (int)(reader.Integer("limit", 1, MaxTailLines) ?? DefaultTailLines);
        var maxBytes = (int)(reader.Integer("maxBytes", 1, MaxTailBytes) ?? DefaultTailBytes);
        if (reader.Error is not null)
        {
            return MethodResult.Fail(reader.Error);
        }
        var tail = LogTailReader.Read(state.LogFile, cursor, limit, maxBytes);
        return MethodResult.Ok(new LogsTailResult(tail.File, tail.Cursor, tail.Size, tail.Lines, tail.Truncated, tail.Reset),
            OperatorJsonContext.Default.LogsTailResult);
    }

    private static MethodResult History(GatewayRuntimeInfo runtime, GatewayHistory? history) =>
        MethodResult.Ok(new GatewayHistoryResult(runtime.Pid, runtime.BootId, (long)GatewayHistory.Interval.TotalMilliseconds,
            GatewayHistory.Capacity, history?.Snapshot() ?? []), OperatorJsonContext.Default.GatewayHistoryResult);
}
