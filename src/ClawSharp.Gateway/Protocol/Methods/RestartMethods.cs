using ClawSharp.Gateway.Restart;

namespace ClawSharp.Gateway.Protocol.Methods;

/// <summary><c>gateway.restart.preflight</c> (operator.read) and <c>gateway.restart.request</c> (operator.admin), as OpenClaw.</summary>
internal static class RestartMethods
{
    public static MethodRegistry AddRestartMethods(this MethodRegistry registry, RestartControl control) =>
        registry
            .Add(new MethodDescriptor("gateway.restart.preflight", Scopes.Read,
                (_, _) => ValueTask.FromResult(MethodResult.Ok(control.PreflightForOperator(), RestartJsonContext.Default.PreflightResult))))
            .Add(new MethodDescriptor("gateway.restart.request", Scopes.Admin, (call, ct) => RequestAsync(control, call, ct)));

    private static async ValueTask<MethodResult> RequestAsync(RestartControl control, MethodCall call, CancellationToken cancellationToken)
    {
        // Non-object params were refused by the dispatcher (ParamReader.CheckShape), before the scope of commands.restart.
        if (!control.Enabled)
        {
            return MethodResult.Fail(new ProtocolError(ErrorCodes.Forbidden, "restarts are disabled (commands.restart is false)"));
        }
        var reader = new ParamReader(call.Method, call.Params);
        var reason = reader.String("reason", required: false, 4096)?.Trim();
        if (reason is { Length: > 200 })
        {
            reason = reason[..200];
        }
        var skipDeferral = reader.Boolean("skipDeferral");
        var requestedAt = reader.Integer("requestedAt", 0, long.MaxValue);
        var ifBootId = reader.String("ifBootId", required: false, 64);
        var interrupt = reader.Boolean("interruptActiveWork");
        bool? force = null;
        long? waitMs = null;
        if (call.Params.ValueKind == System.Text.Json.JsonValueKind.Object && call.Params.TryGetProperty("restartIntent", out var intent))
        {
            var intentReader = new ParamReader(call.Method + " restartIntent", intent);
            intentReader.AllowOnly("force", "waitMs");
            force = intentReader.Boolean("force") ? true : null;
            waitMs = intentReader.Integer("waitMs", 0, int.MaxValue);
            if (intentReader.Error is not null)
            {
                return MethodResult.Fail(intentReader.Error);
            }
        }
        if (reader.Error is not null)
        {
            return MethodResult.Fail(reader.Error);
        }
        var (decision, request) = await control.RequestAsync(new RestartAsk("rpc", reason, skipDeferral, interrupt, force, waitMs)
        {
            RequestedAt = requestedAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
            IfBootId = ifBootId,
        }, cancellationToken)
            .ConfigureAwait(false);
        if (decision is null)
        {
            return MethodResult.Fail(new ProtocolError(ErrorCodes.Unavailable, request.Refusal));
        }
        return MethodResult.Ok(decision.ToResult(), RestartJsonContext.Default.RestartRequestResult) with { AfterResponse = request.MarkAnswerSent };
    }
}
