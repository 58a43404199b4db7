using System.Globalization;

namespace ClawSharp.Control.SelfTest;

/// <summary>
/// The scratch gateway's <c>config.json</c>, and the broken copy of the config fault. The
/// defaults are a production gateway's except where a run of faults would only wait: no restart
/// cooldown (30 s by default), a short crash backoff, a crash limit no run reaches (a kill -9 is a
/// crash to the supervisor), replies allowed to the loopback sink, and a drain bounded at 10 s.
/// </summary>
internal static class ScratchConfig
{
    public static string Json(int port) => string.Create(CultureInfo.InvariantCulture, $$"""
        {
          "gateway": { "port": {{port}}, "reload": { "cooldownMs": 0 } },
          "agents": { "default": "echo", "maxConcurrentRuns": 8 },
          "daemon": { "backoffMs": 50, "backoffMaxMs": 500, "crashLimit": 1000 },
          "shutdown": { "drainTimeoutMs": 10000 },
          "webhooks": { "allowLoopback": true, "timeoutMs": 5000 }
        }
        """);

    /// <summary>The same config with one value no start accepts (a string where a count belongs): a restart must be refused until it is repaired.</summary>
    public static string Broken(int port) => Json(port).Replace("\"maxConcurrentRuns\": 8", "\"maxConcurrentRuns\": \"eight\"", StringComparison.Ordinal);
}
