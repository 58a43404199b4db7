namespace ClawSharp.Control.Services.Systemd;

/// <summary>
/// <c>systemctl</c> for one scope: <c>systemctl --user …</c> for a user service, plain for a system one.
/// </summary>
/// <param name="scope">User or system.</param>
/// <param name="program">The program: <c>systemctl</c> from PATH, or a stand-in's path in a test.</param>
internal sealed class Systemctl(ServiceScope scope, string program = "systemctl")
{
    public ServiceScope Scope => scope;

    public Task<SystemCommandResult> RunAsync(CancellationToken cancellationToken, params string[] arguments) =>
        SystemCommand.RunAsync(program, scope == ServiceScope.User ? ["--user", .. arguments] : arguments, cancellationToken);

    /// <summary>The command an operator would type: <c>systemctl --user status x.service</c>, for messages.</summary>
    public string Describe(string verb, string unit) => scope == ServiceScope.User ? $"systemctl --user {verb} {unit}" : $"systemctl {verb} {unit}";

    /// <summary><c>systemctl show UNIT -p …</c> as a dictionary (empty when systemctl fails).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ShowAsync(string unit, IEnumerable<string> properties, CancellationToken cancellationToken)
    {
        var result = await RunAsync(cancellationToken, ["show", unit, "-p", string.Join(',', properties)]).ConfigureAwait(false);
        return result.Succeeded ? SystemdUnitView.ParseShow(result.StandardOutput) : new Dictionary<string, string>();
    }
}
