namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// Reply delivery to webhooks (config object <c>webhooks</c>): how long and how often a reply
/// is tried, and where replies may go. A webhook URL comes from whoever sent the message, so
/// by default it may only name a public address.
/// </summary>
internal sealed class WebhookOptions
{
    /// <summary>One POST's limit, from connect to the response headers (<c>webhooks.timeoutMs</c>). Default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts before a reply is marked failed (<c>webhooks.maxAttempts</c>). Default 12 (about 7 minutes of backoff).</summary>
    public int MaxAttempts { get; init; } = 12;

    /// <summary>Age past which a reply whose attempt failed is marked failed, whatever its attempts (<c>webhooks.maxAgeMs</c>). Default 1 hour.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>POSTs in flight at once, across destinations (<c>webhooks.maxConcurrentDeliveries</c>). Default 16.</summary>
    public int MaxConcurrentDeliveries { get; init; } = 16;

    /// <summary>When not empty, the only hosts a webhook URL may name (<c>webhooks.allowedHosts</c>, case-insensitive). Default empty: any host.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>Whether a webhook may reach a loopback address, 127.0.0.0/8 or ::1 (<c>webhooks.allowLoopback</c>). Default false.</summary>
    public bool AllowLoopback { get; init; }

    /// <summary>
    /// Whether a webhook may reach a private, link-local or otherwise non-public address
    /// (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7, fe80::/10…;
    /// <c>webhooks.allowPrivateNetworks</c>). Default false.
    /// </summary>
    public bool AllowPrivateNetworks { get; init; }
}
