namespace ClawSharp.Gateway.Http;

/// <summary>What <c>/readyz</c> reports for one server generation.</summary>
internal enum Readiness
{
    Starting,
    Ready,
    Draining,
    ShuttingDown,
}

/// <summary>The readiness of one server generation; thread-safe.</summary>
internal sealed class ReadinessState
{
    private int value = (int)Readiness.Starting;

    public Readiness Current => (Readiness)Volatile.Read(ref value);

    public void Set(Readiness readiness) => Volatile.Write(ref value, (int)readiness);

    /// <summary>The <c>failing</c> entry of /readyz, or null when ready.</summary>
    public string? FailingCheck => Current switch
    {
        Readiness.Ready => null,
        Readiness.Starting => "starting",
        Readiness.Draining => "draining",
        _ => "shutting-down",
    };
}
