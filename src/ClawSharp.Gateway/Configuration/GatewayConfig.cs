namespace ClawSharp.Gateway.Configuration;

/// <summary>Everything <c>config.json</c> (plus the command-line overrides) says, validated.</summary>
internal sealed class GatewayConfig
{
    public GatewayOptions Gateway { get; init; } = new();
    public LogFileOptions Logs { get; init; } = new();
    public ShutdownOptions Shutdown { get; init; } = new();
    public RestartOptions Restart { get; init; } = new();
    public AgentOptions Agents { get; init; } = new();
    public TaskOptions Tasks { get; init; } = new();
    public WebhookOptions Webhooks { get; init; } = new();
    public DaemonOptions Daemon { get; init; } = new();
    public StoreOptions Store { get; init; } = new();

    /// <summary>Non-fatal findings, such as unknown keys, to log once logging is up.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
