namespace ClawSharp.Gateway.Configuration;

/// <summary>How a change to one config key takes effect in a running gateway.</summary>
internal enum ReloadKind
{
    /// <summary>Applied live: the running generation reads it at use time.</summary>
    Hot,

    /// <summary>Read only when a generation starts (the socket, auth, the store, the log file): it needs a restart.</summary>
    Restart,
}
