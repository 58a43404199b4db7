using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Closes a generation with the shutdown watchdog armed (<see cref="ShutdownBudget.Close"/>):
/// a close that overruns writes a stability bundle and exits 1, from a timer thread, so it
/// works even when the close itself is stuck. Used by both the stop path and the restart sequence.
/// </summary>
internal sealed class GenerationCloser(TimeProvider time, StabilityBundleWriter bundles, ILogger logger, Action<ExitCode> exitProcess)
{
    public async Task CloseAsync(IGatewayGeneration generation, bool restart, CancellationToken cancellationToken)
    {
        var budget = new ShutdownBudget(generation.Config.Shutdown).Close;
        var what = restart ? "restart" : "stop";
        using var watchdog = ShutdownWatchdog.Arm(time, budget, () =>
        {
            var bundle = bundles.Write("shutdown-timeout", $"the {what} did not finish within {budget.TotalMilliseconds:F0} ms");
            LifecycleLog.WatchdogExpired(logger, what, (long)budget.TotalMilliseconds, bundle ?? "not written");
            exitProcess(ExitCode.Failure);
        });
        await generation.CloseAsync(restart, cancellationToken).ConfigureAwait(false);
    }
}
