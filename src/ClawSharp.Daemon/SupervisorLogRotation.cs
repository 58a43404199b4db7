using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Daemon;

/// <summary>
/// Keeps <c>supervisor.log</c> within <c>logs.maxFileBytes</c> while a gateway runs: a gateway
/// that lives for months writes its stderr there (inherited), and a rotation only before each
/// start would let it grow without bound. Checks every <see cref="CheckInterval"/>.
/// </summary>
internal static class SupervisorLogRotation
{
    /// <summary>How often the size is checked.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>Runs until <paramref name="cancellationToken"/> ends; never throws.</summary>
    public static async Task RunAsync(StateDirectory state, LogFileOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(CheckInterval, time, cancellationToken).ConfigureAwait(false);
                ProcessDetach.RotateIfLarge(state, options);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
