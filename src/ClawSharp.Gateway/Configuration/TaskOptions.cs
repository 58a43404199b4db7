namespace ClawSharp.Gateway.Configuration;

/// <summary>The background task registry (config object <c>tasks</c>).</summary>
internal sealed class TaskOptions
{
    /// <summary>How long ended tasks are kept before the sweeper prunes them (<c>tasks.retentionMs</c>). Default 7 days.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Timeout of a task that sets none (<c>tasks.defaultTimeoutMs</c>). Default 1 hour.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromHours(1);
}
