using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Logging;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// <c>gateway run</c> as a process. Order: take the hand-over variables of a fresh-PID respawn
/// and of systemd's socket activation (before anything can start a child, so exec agents never
/// inherit them) and leave the parent's session when respawned; load the service's environment
/// file (<c>CLAWSHARP_ENV_FILE</c>; a bad one ends with 78); create the state directory; lead
/// an own process group under the built-in supervisor; export <c>CLAWSHARP_HOME</c>; load the configuration (a bad
/// one ends with 78 before anything starts); set up logging; run the loop, with the signal
/// listener, until it ends (under the Windows SCM, through <see cref="GatewayWindowsService"/>).
/// </summary>
internal static class GatewayProcessRunner
{
    /// <param name="state">The state directory.</param>
    /// <param name="overrides">Command-line flags, re-applied on every config reload.</param>
    /// <param name="force">Stop a stale gateway that holds the lock or the port before the first start.</param>
    /// <returns>The exit code, and the error to print when the gateway never started.</returns>
    public static async Task<(ExitCode Code, string? Error)> RunAsync(StateDirectory state, ConfigOverrides overrides, bool force)
    {
        var spawned = SpawnOrigin.TakeFromProcessEnvironment();
        var activation = SocketActivation.TakeFromProcessEnvironment();
        if (spawned is { Respawned: true })
        {
            SpawnOrigin.Detach();
        }
        try
        {
            ServiceEnvironmentFile.LoadIntoProcess();
        }
        catch (ConfigException e)
        {
            return (ExitCode.Config, e.Message);
        }
        try
        {
            state.EnsureCreated();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (ExitCode.Failure, $"cannot create the state directory {state.Root}: {e.Message}");
        }
        if (state.DirectoryInPlaceOfAFile() is { } inTheWay)
        {
            // Exit 78: no retry mends it (a supervisor stops at once instead of counting crashes).
            return (ExitCode.Config, inTheWay);
        }
        var supervisor = SupervisorDetection.Detect(Environment.GetEnvironmentVariable);
        if (supervisor == SupervisorKind.Builtin && !OperatingSystem.IsWindows())
        {
            // The supervisor ends this group after this process exits, however it exits: no agent or task outlives its gateway.
            Infrastructure.Posix.LeadOwnProcessGroup();
        }
        // Exec agents and tasks inherit it: a 'clawsharp' they run reaches this gateway, whatever flags started it.
        Environment.SetEnvironmentVariable("CLAWSHARP_HOME", state.Root);
        GatewayConfig config;
        try
        {
            config = ConfigLoader.Load(state, overrides);
        }
        catch (ConfigException e)
        {
            return (ExitCode.Config, e.Message);
        }
        using var logging = GatewayLogging.Create(state, config.Logs, Console.Error);
        var settings = new GatewayRunSettings(
            state,
            overrides,
            // A respawned gateway repeats its parent's arguments, but --force must never make it
            // stop the parent that is waiting for it.
            force && spawned is null,
            supervisor,
            GatewayFaults.Parse(Environment.GetEnvironmentVariable(GatewayFaults.EnvironmentVariable)),
            TimeProvider.System,
            spawned,
            activation);
        await using var loop = new GatewayRunLoop(settings, logging);
        // logs.level is hot: a config reload moves the level of every logger at once.
        loop.Live.Changed += changed => logging.Level = changed.Logs.Level;
        using var signals = new SignalListener(loop.Commands);
        using var supervisorWatch = SupervisorWatch.Start(supervisor, Environment.GetEnvironmentVariable, () => loop.Live.Current.Daemon.Resupervise,
            loop.Commands, TimeProvider.System, logging.Factory.CreateLogger("ClawSharp.Gateway"));
        if (supervisor == SupervisorKind.Windows && OperatingSystem.IsWindows()
            && Microsoft.Extensions.Hosting.WindowsServices.WindowsServiceHelpers.IsWindowsService())
        {
            // The marker alone is not enough: a 'gateway run' typed into a shell that has it must not wait for an SCM that never calls.
            var name = Environment.GetEnvironmentVariable(SupervisorDetection.ServiceNameVariable) ?? "";
            return (GatewayWindowsService.Run(new GatewayWindowsService(name, loop, config)), null);
        }
        return (await loop.RunAsync(config, CancellationToken.None).ConfigureAwait(false), null);
    }
}
