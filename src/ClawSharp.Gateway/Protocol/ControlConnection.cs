using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Protocol;

/// <summary>
/// One control-protocol WebSocket. Order: send <c>connect.challenge</c>; read the first
/// frame (≤ 64 KiB, within 10 s), which must be <c>connect</c>; check protocol and auth;
/// answer <c>hello-ok</c>; then answer requests until the socket closes.
/// </summary>
internal sealed class ControlConnection
{
    /// <summary>How many requests of one connection may wait for their answers at once before the next frame waits.</summary>
    private const int MaxRequestsWaiting = 64;

    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Read buffers up to this size come from the shared pool; larger ones are the GC's.</summary>
    private const int PooledUpTo = 1 << 20;

    /// <summary>How long one frame past the free part (<see cref="FrameBudget.FreePerConnection"/>) may take to arrive: 25 MiB at ~0.5 MB/s.</summary>
    private static readonly TimeSpan LargeFrameTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a close waits for the answers to requests already read (within the registry's 2 s close grace).</summary>
    private static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a close watches for requests, with none in flight, before it sends the close frame:
    /// a frame the client sent just before the close began may sit in the kernel or in Kestrel's
    /// pipe with its read not yet run. Yielding to the thread pool a few times (before) was not
    /// enough on a loaded machine (a restart request answered by 1012 alone, so its client asked
    /// again and could restart twice). Real time, not the runtime's clock: it waits for threads.
    /// </summary>
    internal static readonly TimeSpan SettleQuiet = TimeSpan.FromMilliseconds(50);

    /// <summary>Test fault <c>late-frame-read</c>, how late: see <see cref="ControlProtocolContext.LateFrameReads"/>.</summary>
    internal static readonly TimeSpan LateFrameRead = TimeSpan.FromMilliseconds(5);
    private readonly WebSocket socket;
    private readonly ControlProtocolContext context;
    private readonly string remoteAddress;
    private readonly IPAddress? remoteIp;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> sessions = new(StringComparer.Ordinal);
    private readonly Lock requestGate = new();
    private long eventSeq;
    private CallerInfo? caller;
    private int requestsInFlight;
    // Requests counted in so far, and that count when the close's current quiet watch began (requestGate).
    private long requestsBegun;
    private long requestsBegunBeforeSettle;
    private TaskCompletionSource? requestsAnswered;
    private bool closeFrameDue;

    public ControlConnection(WebSocket socket, ControlProtocolContext context, IPAddress? remoteIp)
    {
        this.socket = socket;
        this.context = context;
        this.remoteIp = remoteIp;
        remoteAddress = remoteIp?.ToString() ?? "unknown";
        Id = SecureRandom.Hex(8);
    }

    public string Id { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (context.Connections.ClosingReason is { } closing)
        {
            await RefuseAsync(null, new ProtocolError(ErrorCodes.Unavailable, $"gateway is shutting down ({closing}); reconnect shortly")
            {
                Retryable = true,
                RetryAfterMs = ProtocolConstants.RestartExpectedMs,
            }, CloseCodes.ServiceRestart, "service restart").ConfigureAwait(false);
            return;
        }
        await SendChallengeAsync().ConfigureAwait(false);
        if (await HandshakeAsync(cancellationToken).ConfigureAwait(false) is not { } hello)
        {
            return;
        }
        // Registered before hello-ok leaves, so a shutdown that starts right after the handshake still reaches this client.
        if (!context.Connections.TryAdd(this))
        {
            await CloseAsync(CloseCodes.ServiceRestart, "service restart").ConfigureAwait(false);
            return;
        }
        try
        {
            await SendAsync(hello).ConfigureAwait(false);
            await ServeAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            context.Connections.Remove(this);
            ProtocolLog.ConnectionClosed(context.Logger, Id, caller?.ClientId ?? "?");
        }
    }

    public Task SendTickAsync(long ts) =>
        SendAsync(FrameWriter.Event("tick", w => JsonSerializer.Serialize(w, new TickPayload(ts), ProtocolJsonContext.Default.TickPayload), NextSeq()));

    /// <summary>
    /// Answers the requests already read (a restart request during a restart is answered
    /// <c>coalesced</c>, never cut off by the close), then sends <c>shutdown</c> and a 1012
    /// (restart) or 1001 (stop) close frame.
    /// </summary>
    public async Task CloseForShutdownAsync(string reason, bool restart)
    {
        await AnswerRequestsInFlightAsync().ConfigureAwait(false);
        var payload = new ShutdownPayload(reason, restart ? ProtocolConstants.RestartExpectedMs : null);
        await SendAsync(FrameWriter.Event("shutdown",
            w => JsonSerializer.Serialize(w, payload, ProtocolJsonContext.Default.ShutdownPayload), NextSeq())).ConfigureAwait(false);
        await CloseAsync(restart ? CloseCodes.ServiceRestart : CloseCodes.GoingAway,
            restart ? "service restart" : "gateway stopping").ConfigureAwait(false);
    }

    public void Abort() => socket.Abort();

    /// <summary>Chat events of <paramref name="sessionKey"/> go to this connection from now on.</summary>
    public void Subscribe(string sessionKey) => sessions.TryAdd(sessionKey, 0);

    public bool IsSubscribed(string sessionKey) => sessions.ContainsKey(sessionKey);

    /// <summary>The <c>hello-ok</c> frame to send, or null when the handshake failed (the socket is then closed).</summary>
    private async Task<byte[]?> HandshakeAsync(CancellationToken cancellationToken)
    {
        // At most 64 KiB: never a large frame, so nothing of the budget to give back. The read is not cancelled at the
        // timeout: a cancelled read aborts the socket before the close frame could say why.
        var receiving = ReceiveAsync(ProtocolConstants.MaxHandshakeFrameBytes, cancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (await Task.WhenAny(receiving, Task.Delay(ProtocolConstants.HandshakeTimeout, timeout.Token)).ConfigureAwait(false) != receiving)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await CloseAsync(CloseCodes.PolicyViolation, "handshake timeout").ConfigureAwait(false);
                socket.Abort();
                _ = receiving.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                return null;
            }
            await timeout.CancelAsync().ConfigureAwait(false);
        }
        var frame = await receiving.ConfigureAwait(false);
        if (frame is not { } received)
        {
            return null;
        }
        using var document = TryParse(received.Bytes);
        var request = document is null ? default : RequestFrame.From(document.RootElement);
        if (request.Method != "connect" || string.IsNullOrEmpty(request.Id))
        {
            await RefuseAsync(request.Id, ProtocolError.Invalid("invalid handshake: first request must be connect"),
                CloseCodes.PolicyViolation, "invalid handshake").ConfigureAwait(false);
            return null;
        }
        var problem = ConnectParams.Validate(request.Params, out var connect);
        if (problem is not null)
        {
            await RefuseAsync(request.Id, ProtocolError.Invalid($"invalid connect params: {problem}"),
                CloseCodes.PolicyViolation, "invalid connect params").ConfigureAwait(false);
            return null;
        }
        if (connect.MinProtocol > ProtocolConstants.Version || connect.MaxProtocol < ProtocolConstants.Version)
        {
            await RefuseAsync(request.Id, ProtocolError.Invalid("protocol mismatch") with
            {
                Details = w => w.WriteNumber("expectedProtocol", ProtocolConstants.Version),
            }, CloseCodes.ProtocolError, "protocol mismatch").ConfigureAwait(false);
            return null;
        }
        // The credential first, the throttle after: a correct one always gets in, however many failures its address has.
        var auth = context.Authenticator.Authenticate(request.Params);
        if (auth.Credential is not { } credential)
        {
            await RefuseUnauthorizedAsync(request.Id, connect.ClientId, auth.Problem!, cancellationToken).ConfigureAwait(false);
            return null;
        }
        var granted = ScopeGrant.Of(connect.Scopes, credential);
        caller = new CallerInfo(Id, connect.ClientId, remoteAddress, granted, credential);
        ProtocolLog.ClientConnected(context.Logger, Id, connect.ClientId, connect.ClientMode, remoteAddress);
        ProtocolLog.ScopesGranted(context.Logger, Id, credential.Name, string.Join(",", granted.Order(StringComparer.Ordinal)));
        return FrameWriter.Response(request.Id!, w => JsonSerializer.Serialize(w, BuildHello(connect.Role, granted), ProtocolJsonContext.Default.HelloOk));
    }

    /// <summary>
    /// Counts the failure; under the limit the answer is <c>unauthorized: …</c>, over it
    /// <c>RATE_LIMITED</c>, held back as the limiter says (never past the caller's cancellation).
    /// </summary>
    private async Task RefuseUnauthorizedAsync(string? requestId, string clientId, string problem, CancellationToken cancellationToken)
    {
        ProtocolLog.AuthFailed(context.Logger, remoteAddress, clientId, problem);
        if (context.AuthLimiter.RecordFailure(remoteIp) is not { } throttle)
        {
            var reason = $"unauthorized: {problem}";
            await RefuseAsync(requestId, ProtocolError.Invalid(reason), CloseCodes.PolicyViolation, reason).ConfigureAwait(false);
            return;
        }
        try
        {
            await Task.Delay(throttle.Hold, context.Runtime.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var retryAfterMs = (long)Math.Ceiling(throttle.RetryAfter.TotalMilliseconds);
        await RefuseAsync(requestId, new ProtocolError(ErrorCodes.RateLimited,
            $"too many failed auth attempts from {throttle.Bucket}; retry in {(retryAfterMs + 999) / 1000} s")
        {
            Retryable = true,
            RetryAfterMs = retryAfterMs,
        }, CloseCodes.PolicyViolation, "rate limited").ConfigureAwait(false);
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        var waiting = new List<Task>();
        while (true)
        {
            if (await ReceiveAsync(ProtocolConstants.MaxPayloadBytes, cancellationToken).ConfigureAwait(false) is not { } frame)
            {
                return;
            }
            if (context.LateFrameReads)
            {
                await ReadLateAsync(cancellationToken).ConfigureAwait(false);
            }
            // Counted from the moment the frame is read, before it is parsed: a close waits for its answer.
            if (!BeginRequest())
            {
                // The close frame is going out: no answer can follow it (the client sees 1012 and asks again).
                context.Frames.Give(frame.Budget);
                continue;
            }
            JsonDocument? document = null;
            var answered = true;
            try
            {
                document = TryParse(frame.Bytes);
                if (document is null)
                {
                    await SendAsync(FrameWriter.Error("", ProtocolError.Invalid("malformed frame: not a JSON object"))).ConfigureAwait(false);
                    continue;
                }
                var request = RequestFrame.From(document.RootElement);
                if (request.Type != "req")
                {
                    // Clients send only requests; anything else is answered, not acted on.
                    await SendAsync(FrameWriter.Error(request.Id ?? "", ProtocolError.Invalid("invalid frame: expected type \"req\""))).ConfigureAwait(false);
                    continue;
                }
                if (string.IsNullOrEmpty(request.Id) || string.IsNullOrEmpty(request.Method))
                {
                    await SendAsync(FrameWriter.Error(request.Id ?? "", ProtocolError.Invalid("invalid request frame: id and method must be non-empty strings")))
                        .ConfigureAwait(false);
                    continue;
                }
                var dispatch = DispatchAsync(request, cancellationToken);
                if (dispatch.IsCompleted)
                {
                    await AnswerAsync(request.Id, dispatch, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                // The handler waits (chat.send waits for its group commit): read the next frame
                // meanwhile, so that a pipelining client's messages share commits. The handler has
                // started, in frame order, before the next frame is read; the answer goes out when
                // it is ready, and the frame's document and its place in the count go with it.
                answered = false;
                waiting.RemoveAll(t => t.IsCompleted);
                waiting.Add(AnswerLaterAsync(request.Id, dispatch, document, frame.Budget, cancellationToken));
                if (waiting.Count >= MaxRequestsWaiting)
                {
                    await Task.WhenAny(waiting).ConfigureAwait(false);
                }
            }
            finally
            {
                if (answered)
                {
                    document?.Dispose();
                    context.Frames.Give(frame.Budget);
                    EndRequest();
                }
            }
        }
    }

    /// <param name="budget">What the frame holds of the large-frame budget: its bytes live as long as its document.</param>
    private async Task AnswerLaterAsync(string id, Task<(byte[] Response, Func<CancellationToken, Task<MethodResult>>? Final, Action? After)> dispatch,
        JsonDocument document, long budget, CancellationToken cancellationToken)
    {
        try
        {
            await AnswerAsync(id, dispatch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            document.Dispose();
            context.Frames.Give(budget);
            EndRequest();
        }
    }

    private async Task AnswerAsync(string id, Task<(byte[] Response, Func<CancellationToken, Task<MethodResult>>? Final, Action? After)> dispatch,
        CancellationToken cancellationToken)
    {
        var (response, final, after) = await dispatch.ConfigureAwait(false);
        await SendAsync(response).ConfigureAwait(false);
        after?.Invoke();
        if (final is not null)
        {
            _ = SendFinalAsync(id, final, cancellationToken);
        }
    }

    private async Task<(byte[] Response, Func<CancellationToken, Task<MethodResult>>? Final, Action? After)> DispatchAsync(
        RequestFrame request, CancellationToken cancellationToken)
    {
        var id = request.Id!;
        var method = request.Method!;
        if (method == "connect")
        {
            return (FrameWriter.Error(id, ProtocolError.Invalid("already connected")), null, null);
        }
        if (!context.Methods.TryGet(method, out var descriptor))
        {
            return (FrameWriter.Error(id, ProtocolError.Invalid($"unknown method: {method}")), null, null);
        }
        if (!Scopes.Satisfies(caller!.Scopes, descriptor.Scope))
        {
            return (FrameWriter.Error(id, new ProtocolError(ErrorCodes.Forbidden, $"missing scope: {descriptor.Scope}")), null, null);
        }
        // One rule for every method, before its handler: params are an object (or absent) of the names the method takes.
        if (Methods.ParamReader.CheckShape(method, request.Params, descriptor.ParamNames) is { } invalid)
        {
            return (FrameWriter.Error(id, invalid), null, null);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await descriptor.Handler(new MethodCall(method, request.Params, caller), cancellationToken).ConfigureAwait(false);
            ProtocolLog.RequestHandled(context.Logger, method, result.Error?.Code ?? "ok", Stopwatch.GetElapsedTime(started).TotalMilliseconds, Id);
            return (Encode(id, result), result.Final, result.AfterResponse);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ProtocolLog.RequestFailed(context.Logger, e, method, Id);
            return (FrameWriter.Error(id, new ProtocolError(ErrorCodes.Unavailable, $"{method} failed: {e.Message}")), null, null);
        }
    }

    private async Task SendFinalAsync(string id, Func<CancellationToken, Task<MethodResult>> final, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(Encode(id, await final(cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The connection or the server closed first; the reply stays in the outbox and history.
        }
    }

    private static byte[] Encode(string id, MethodResult result) =>
        result.Error is { } error ? FrameWriter.Error(id, error) : FrameWriter.Response(id, result.Payload!);

    /// <summary>Sends an event with this connection's next sequence number.</summary>
    public Task SendEventAsync(string name, Action<Utf8JsonWriter> writePayload) => SendAsync(FrameWriter.Event(name, writePayload, NextSeq()));

    private HelloOk BuildHello(string role, IReadOnlySet<string> granted)
    {
        var runtime = context.Runtime;
        return new HelloOk(
            "hello-ok",
            ProtocolConstants.Version,
            new HelloServer(runtime.Version, Id, runtime.BootId),
            new HelloFeatures(context.Methods.Names, context.Events),
            new HelloSnapshot([], new SnapshotHealth(true, "live"), new SnapshotStateVersion(0, 0), runtime.UptimeMs,
                runtime.State.Root, runtime.AuthMode.ToString().ToLowerInvariant()),
            new HelloAuth(role, [.. granted.Order(StringComparer.Ordinal)]),
            new HelloPolicy(ProtocolConstants.MaxPayloadBytes, ProtocolConstants.MaxBufferedBytes,
                (long)ProtocolConstants.DefaultTickInterval.TotalMilliseconds));
    }

    private Task SendChallengeAsync()
    {
        var challenge = new ChallengePayload(SecureRandom.Hex(16),
            context.Runtime.Time.GetUtcNow().ToUnixTimeMilliseconds());
        return SendAsync(FrameWriter.Event("connect.challenge",
            w => JsonSerializer.Serialize(w, challenge, ProtocolJsonContext.Default.ChallengePayload), seq: null));
    }

    private async Task RefuseAsync(string? requestId, ProtocolError error, int closeCode, string closeReason)
    {
        await SendAsync(FrameWriter.Error(requestId ?? "", error)).ConfigureAwait(false);
        await CloseAsync(closeCode, closeReason).ConfigureAwait(false);
    }

    private async Task CloseAsync(int code, string reason)
    {
        // RFC 6455 allows 123 bytes of reason.
        var trimmed = reason.Length > 120 ? reason[..120] : reason;
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync((WebSocketCloseStatus)code, trimmed, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task SendAsync(byte[] frame)
    {
        await sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // A client that stops reading must not stall every later send (and the shutdown) forever.
                using var timeout = new CancellationTokenSource(SendTimeout);
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            socket.Abort();
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
        {
            // The peer is gone; the receive loop ends the connection.
        }
        finally
        {
            sendLock.Release();
        }
    }

    private long NextSeq() => Interlocked.Increment(ref eventSeq);

    private bool BeginRequest()
    {
        lock (requestGate)
        {
            if (closeFrameDue)
            {
                return false;
            }
            requestsInFlight++;
            requestsBegun++;
            return true;
        }
    }

    private void EndRequest()
    {
        lock (requestGate)
        {
            if (--requestsInFlight == 0)
            {
                requestsAnswered?.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Waits (at most <see cref="AnswerGrace"/>) until no request read is unanswered and none was
    /// read for <see cref="SettleQuiet"/>; from then on requests are not taken. So a frame that had
    /// already arrived when the close began, whose read was still queued behind it, is read and
    /// answered (a restart request <c>coalesced</c>) rather than cut off by the close frame.
    /// </summary>
    private async Task AnswerRequestsInFlightAsync()
    {
        var deadline = context.Runtime.Time.GetUtcNow() + AnswerGrace;
        var settled = false;
        while (true)
        {
            Task? answered = null;
            lock (requestGate)
            {
                var left = deadline - context.Runtime.Time.GetUtcNow();
                if (left <= TimeSpan.Zero || (requestsInFlight == 0 && settled && requestsBegun == requestsBegunBeforeSettle))
                {
                    closeFrameDue = true;
                    return;
                }
                settled = false;
                if (requestsInFlight > 0)
                {
                    requestsAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    answered = requestsAnswered.Task;
                }
                requestsBegunBeforeSettle = requestsBegun;
            }
            if (answered is null)
            {
                await Task.Delay(SettleQuiet).ConfigureAwait(false);
                settled = true;
                continue;
            }
            try
            {
                await answered.WaitAsync(deadline - context.Runtime.Time.GetUtcNow(), context.Runtime.Time).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or ArgumentOutOfRangeException)
            {
            }
        }
    }

    /// <summary>Test fault <c>late-frame-read</c>: the frame just read waits for the close to begin (at most 10 s), then <see cref="LateFrameRead"/> more.</summary>
    private async Task ReadLateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await context.Connections.ClosingBegun.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        await Task.Delay(LateFrameRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads one whole message; null when the socket closed, the message exceeded <paramref name="limit"/>,
    /// the budget for large frames had no room (1013), or a large frame took longer than <see cref="LargeFrameTimeout"/>.
    /// A large frame (over <see cref="PooledUpTo"/>) comes without a copy and with the budget it holds, for the caller
    /// to give back (<see cref="FrameBudget.Give"/>) once its request is answered.
    /// </summary>
    private async Task<ReceivedFrame?> ReceiveAsync(int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var length = 0;
        long taken = 0;
        CancellationTokenSource? largeFrameDeadline = null;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var size = Math.Min(buffer.Length * 2, limit + 1);
                    // Past the free part, the growth is taken from the budget all connections share.
                    var more = Math.Max(0, size - Math.Max(buffer.Length, FrameBudget.FreePerConnection));
                    if (more > 0 && !context.Frames.TryTake(more))
                    {
                        context.Frames.Give(taken);
                        taken = 0;
                        await RefuseAsync(null, new ProtocolError(ErrorCodes.Unavailable,
                            $"the gateway is reading too many large frames at once (over {context.Frames.Total >> 20} MiB); send it again shortly")
                        {
                            Retryable = true,
                            RetryAfterMs = 1000,
                        }, CloseCodes.TryAgainLater, "too many large frames").ConfigureAwait(false);
                        return null;
                    }
                    if (more > 0 && largeFrameDeadline is null)
                    {
                        // A client that never ends its large frame must not hold the budget for good.
                        largeFrameDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        largeFrameDeadline.CancelAfter(LargeFrameTimeout);
                    }
                    taken += more;
                    // Large buffers are not pooled: the shared pool would keep each one for good.
                    var bigger = size > PooledUpTo ? new byte[size] : ArrayPool<byte>.Shared.Rent(size);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ReturnIfPooled(buffer);
                    buffer = bigger;
                }
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), (largeFrameDeadline?.Token ?? cancellationToken)).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (largeFrameDeadline?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
                {
                    // The cancelled read aborted the socket: the connection ends.
                    return null;
                }
                catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
                {
                    return null;
                }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync(CloseCodes.GoingAway, "closing").ConfigureAwait(false);
                    return null;
                }
                length += result.Count;
                if (length > limit)
                {
                    context.Frames.Give(taken);
                    taken = 0;
                    await RefuseAsync(null, ProtocolError.Invalid($"frame too large: limit is {limit} bytes"),
                        CloseCodes.MessageTooBig, "frame too large").ConfigureAwait(false);
                    return null;
                }
                if (result.EndOfMessage)
                {
                    if (buffer.Length <= PooledUpTo)
                    {
                        return new ReceivedFrame(buffer.AsSpan(0, length).ToArray(), 0);
                    }
                    // Handed out whole, budget and all: no second copy of a 25 MiB frame.
                    var frame = new ReceivedFrame(buffer.AsMemory(0, length), taken);
                    taken = 0;
                    return frame;
                }
            }
        }
        finally
        {
            ReturnIfPooled(buffer);
            context.Frames.Give(taken);
            largeFrameDeadline?.Dispose();
        }
    }

    private static void ReturnIfPooled(byte[] buffer)
    {
        if (buffer.Length <= PooledUpTo)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static JsonDocument? TryParse(ReadOnlyMemory<byte> frame)
    {
        try
        {
            var document = JsonDocument.Parse(frame);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A whole message read, and what it holds of the large-frame budget (0 for one within the free part).</summary>
    private readonly record struct ReceivedFrame(ReadOnlyMemory<byte> Bytes, long Budget);
}
