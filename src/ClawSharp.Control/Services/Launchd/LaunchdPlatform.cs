using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.ServiceManagers;

namespace ClawSharp.Control.Services.Launchd;

/// <summary>
/// macOS: the gateway as a launchd job. A user install is a LaunchAgent
/// (<c>~/Library/LaunchAgents/&lt;label&gt;.plist</c>, domain <c>gui/&lt;uid&gt;</c>), a system install a
/// LaunchDaemon (<c>/Library/LaunchDaemons/&lt;label&gt;.plist</c>, domain <c>system</c>).
/// Activation order: enable, bootstrap, kickstart. A failed step is an error: never a fallback to
/// running the gateway unsupervised.
/// </summary>
internal sealed class LaunchdPlatform : IServicePlatform
{
    private readonly string agentsDirectory;
    private readonly string daemonsDirectory;
    private readonly Func<int> userId;

    /// <param name="agentsDirectory">Where LaunchAgents go; default <c>~/Library/LaunchAgents</c> (tests: a temp directory).</param>
    /// <param name="daemonsDirectory">Where LaunchDaemons go; default <c>/Library/LaunchDaemons</c>.</param>
    /// <param name="launchctl">The <c>launchctl</c> to run: found on PATH, or a test's stand-in.</param>
    /// <param name="userId">The uid whose <c>gui/&lt;uid&gt;</c> domain a LaunchAgent joins; default this process's effective uid.</param>
    public LaunchdPlatform(string? agentsDirectory = null, string? daemonsDirectory = null, string launchctl = "launchctl", Func<int>? userId = null)
    {
        this.agentsDirectory = agentsDirectory
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "Library", "LaunchAgents");
        this.daemonsDirectory = daemonsDirectory ?? "/Library/LaunchDaemons";
        Launchctl = new Launchctl(launchctl);
        this.userId = userId ?? (() => (int)Posix.EffectiveUserId());
    }

    public ServicePlatform Platform => ServicePlatform.Launchd;

    /// <summary>The <c>launchctl</c> this platform runs (shared with <see cref="LaunchdControl"/>).</summary>
    public Launchctl Launchctl { get; }

    /// <summary>Where the plist of <paramref name="label"/> goes for <paramref name="scope"/>.</summary>
    public string PlistPath(ServiceScope scope, string label) =>
        Path.Combine(scope == ServiceScope.User ? agentsDirectory : daemonsDirectory, label + ".plist");

    /// <summary><c>gui/&lt;uid&gt;</c> for a LaunchAgent, <c>system</c> for a LaunchDaemon.</summary>
    public string Domain(ServiceScope scope) => scope == ServiceScope.User ? LaunchdTarget.UserDomain(userId()) : LaunchdTarget.SystemDomain;

    /// <summary>The job as <c>launchctl</c> names it: <c>gui/501/ai.clawsharp.gateway</c>.</summary>
    public string Service(ServiceScope scope, string label) => LaunchdTarget.Service(Domain(scope), label);

    // Owner-only: the plist names the environment file and the state directory; launchd also refuses a plist others can write.
    public IReadOnlyList<ServiceFile> Render(ServiceDefinition definition) =>
        [new ServiceFile(PlistPath(definition.Scope, definition.Name), LaunchdPlist.Render(definition), UnixFileMode.UserRead | UnixFileMode.UserWrite)];

    public async Task<IReadOnlyList<string>> ActivateAsync(ServiceDefinition definition, CancellationToken cancellationToken)
    {
        // launchd opens StandardOutPath itself but does not create its directory.
        Directory.CreateDirectory(definition.State.LogsDirectory);
        var service = Service(definition.Scope, definition.Name);
        // Enable first: a label disabled once ('launchctl disable', kept across reboots) refuses to bootstrap.
        await Launchctl.EnableAsync(service, cancellationToken).ConfigureAwait(false);
        await Launchctl.BootstrapAsync(Domain(definition.Scope), definition.Name, PlistPath(definition.Scope, definition.Name), cancellationToken)
            .ConfigureAwait(false);
        // RunAtLoad starts it at bootstrap already; kickstart (without -k) is a no-op then, and starts it if launchd held it back.
        await Launchctl.KickstartAsync(service, kill: false, cancellationToken).ConfigureAwait(false);
        return [];
    }

    public Task DeactivateAsync(ServiceRecord record, CancellationToken cancellationToken) =>
        Launchctl.BootoutAsync(Service(record.Scope, record.Name), cancellationToken);
}
