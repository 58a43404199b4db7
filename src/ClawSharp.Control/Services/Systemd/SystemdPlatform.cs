namespace ClawSharp.Control.Services.Systemd;

/// <summary>
/// systemd as a platform for <c>gateway install</c>: the service and socket units in the
/// scope's unit directory, then <c>daemon-reload</c>, <c>enable</c>, and a start of the socket
/// and the service (Type=notify: the start returns once the gateway serves).
/// </summary>
/// <param name="systemctl">systemctl for the scope.</param>
/// <param name="unitDirectory">Where the units go (<see cref="UnitDirectory"/>).</param>
/// <param name="lingerCheck">Whether the user's manager outlives their sessions (user scope only); null skips the check.</param>
internal sealed class SystemdPlatform(Systemctl systemctl, string unitDirectory, Func<CancellationToken, Task<string?>>? lingerCheck) : IServicePlatform
{
    public ServicePlatform Platform => ServicePlatform.Systemd;

    /// <summary><c>/etc/systemd/system</c>, or the user's <c>$XDG_CONFIG_HOME/systemd/user</c> (default <c>~/.config/systemd/user</c>).</summary>
    public static string UnitDirectory(ServiceScope scope, Func<string, string?> getEnvironment, string userHome) =>
        scope == ServiceScope.System
            ? "/etc/systemd/system"
            : Path.Combine(getEnvironment("XDG_CONFIG_HOME") is { Length: > 0 } config ? config : Path.Combine(userHome, ".config"), "systemd", "user");

    public IReadOnlyList<ServiceFile> Render(ServiceDefinition definition)
    {
        // A line break in a path would end its setting and start another: such a path cannot go into a unit.
        if (new[] { definition.State.Root, definition.EnvironmentFile }.Concat(definition.Command).Concat(definition.Environment.Values).FirstOrDefault(value => value.Any(char.IsControl)) is { } bad)
        {
            throw new ServiceCommandException($"'{bad.ReplaceLineEndings(" ")}' holds a control character; a systemd unit cannot name it (move the state directory or the binary)");
        }
        // Unit files hold no secret and systemd tools read them as any user: the usual 0644.
        const UnixFileMode unitMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        return
        [
            new ServiceFile(Path.Combine(unitDirectory, SystemdUnits.ServiceUnitName(definition.Name)), SystemdUnits.Service(definition), unitMode),
            new ServiceFile(Path.Combine(unitDirectory, SystemdUnits.SocketUnitName(definition.Name)), SystemdUnits.Socket(definition), unitMode),
        ];
    }

    public async Task<IReadOnlyList<string>> ActivateAsync(ServiceDefinition definition, CancellationToken cancellationToken)
    {
        var service = SystemdUnits.ServiceUnitName(definition.Name);
        var socket = SystemdUnits.SocketUnitName(definition.Name);
        var status = $"see '{systemctl.Describe("status", service)}' and 'clawsharp gateway logs'";
        (await systemctl.RunAsync(cancellationToken, "daemon-reload").ConfigureAwait(false)).EnsureSucceeded();
        (await systemctl.RunAsync(cancellationToken, "enable", socket, service).ConfigureAwait(false)).EnsureSucceeded();
        // A unit replaced by --force may be locked out by an earlier storm: the new one starts afresh.
        await systemctl.RunAsync(cancellationToken, "reset-failed", service, socket).ConfigureAwait(false);
        (await systemctl.RunAsync(cancellationToken, "restart", socket).ConfigureAwait(false)).EnsureSucceeded(status);
        (await systemctl.RunAsync(cancellationToken, "restart", service).ConfigureAwait(false)).EnsureSucceeded(status);
        var warnings = new List<string>();
        if (systemctl.Scope == ServiceScope.User && lingerCheck is not null && await lingerCheck(cancellationToken).ConfigureAwait(false) is { } lingerOff)
        {
            warnings.Add(lingerOff);
        }
        return warnings;
    }

    public async Task DeactivateAsync(ServiceRecord record, CancellationToken cancellationToken)
    {
        var service = SystemdUnits.ServiceUnitName(record.Name);
        var socket = SystemdUnits.SocketUnitName(record.Name);
        // A unit the manager no longer knows (removed by hand) is not an error: there is nothing left to stop.
        var stop = await systemctl.RunAsync(cancellationToken, "disable", "--now", service, socket).ConfigureAwait(false);
        if (!stop.Succeeded && !IsUnknownUnit(stop))
        {
            stop.EnsureSucceeded($"stop it with '{systemctl.Describe("stop", service)}', then uninstall again");
        }
        await systemctl.RunAsync(cancellationToken, "reset-failed", service, socket).ConfigureAwait(false);
    }

    /// <summary>After the files are gone: the manager forgets the units.</summary>
    public async Task ForgetAsync(CancellationToken cancellationToken) =>
        await systemctl.RunAsync(cancellationToken, "daemon-reload").ConfigureAwait(false);

    /// <summary>The warning for a user whose manager ends at logout, with the command that fixes it; null when lingering is on (or cannot be told).</summary>
    public static async Task<string?> LingerWarningAsync(string user, CancellationToken cancellationToken)
    {
        var result = await SystemCommand.RunAsync("loginctl", ["show-user", user, "-p", "Linger", "--value"], cancellationToken).ConfigureAwait(false);
        var linger = result.Succeeded ? result.StandardOutput.Trim() : File.Exists($"/var/lib/systemd/linger/{user}") ? "yes" : "no";
        return linger == "yes"
            ? null
            : $"lingering is off for {user}: the gateway stops when {user} logs out and starts only at their next login; 'sudo loginctl enable-linger {user}' keeps it running";
    }

    private static bool IsUnknownUnit(SystemCommandResult result) =>
        result.StandardError.Contains("not loaded", StringComparison.OrdinalIgnoreCase)
        || result.StandardError.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
        || result.StandardError.Contains("not found", StringComparison.OrdinalIgnoreCase);
}
