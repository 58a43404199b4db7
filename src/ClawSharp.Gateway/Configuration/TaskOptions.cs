namespace ClawSharp.Gateway.Configuration;

/// <summary>The background task registry (config object <c>tasks</c>).</summary>
internal sealed class TaskOptions
{
    /// <summary>How long ended tasks are kept before the sweeper prunes them (<c>tasks.retentionMs</c>). Default 7 days.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Timeout of a task that sets none (<c>tasks.defaultTimeoutMs</c>). Default 1 hour.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Bytes of a task's stdout kept, the last ones (<c>tasks.maxOutputBytes</c>); the task records that it was cut. Default 64 KiB.</summary>
    public int MaxOutputBytes { get; init; } = 64 * 1024;

    /// <summary>Names of the gateway's environment variables a task sees (<c>tasks.environment</c>, as <c>agents.exec.environment</c>).</summary>
    public IReadOnlyList<string> Environment { get; init; } = AgentOptions.DefaultChildEnvironment;
}
