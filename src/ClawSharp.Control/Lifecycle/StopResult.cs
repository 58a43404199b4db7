namespace ClawSharp.Control.Lifecycle;

/// <summary>The outcome of <see cref="GatewayControl.StopAsync"/>.</summary>
internal abstract record StopResult
{
    private StopResult()
    {
    }

    /// <summary>Nothing ran; daemon.json now says stopped.</summary>
    public sealed record NotRunning(IReadOnlyList<string> Warnings) : StopResult;

    /// <summary>Stopped (or killed past the timeout, <paramref name="Message"/> says which).</summary>
    public sealed record Stopped(string Message, IReadOnlyList<string> Warnings) : StopResult;

    /// <summary>Something survived: SIGKILL failed, or a gateway kept taking over.</summary>
    public sealed record Failed(string Message) : StopResult;
}
