using System.Globalization;
using System.Net;
using ClawSharp.Control.Services;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Doctor;

/// <summary>
/// The installed service definition is what <c>gateway install</c> would write now: the files
/// service.json records, compared with the platform's rendering of a fresh
/// <see cref="ServiceDefinitionBuilder"/> definition (same scope, same <c>--port</c>/<c>--bind</c>
/// as the recorded command line, this CLI's binary), plus the unit's binary against the running one
/// (<see cref="ServiceStatus.FindDrift"/>). Not repaired here: reinstalling restarts the service, which is
/// <c>gateway install --force</c>'s job (it waits for the gateway to be ready again).
/// </summary>
internal sealed class ServiceDriftCheck : IDoctorCheck
{
    public string Name => "service";

    public DoctorFinding Run(DoctorContext context, bool fix)
    {
        var state = context.State;
        if (ServiceRecordStore.Read(state, out var problem) is not { } record)
        {
            return problem is null
                ? DoctorFinding.Healthy(Name, "no service installed")
                : new DoctorFinding(Name, false, $"service.json cannot be read: {problem}", "clawsharp gateway install --force", fix ? false : null);
        }
        var overrides = OverridesOf(record.Command);
        GatewayConfig config;
        try
        {
            config = ConfigLoader.Load(state, overrides);
        }
        catch (ConfigException)
        {
            return DoctorFinding.Healthy(Name, "not compared: the configuration does not load (see the config check)");
        }
        var userHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var platform = ServicePlatforms.Installer(record.Platform, record.Scope, context.GetEnvironment, userHome);
        var definition = ServiceDefinitionBuilder.Build(record.Platform, record.Scope, state, config, overrides,
            ServiceDefinitionBuilder.SelfCommandLine(), userHome, context.GetEnvironment, user: null);
        var drift = new List<string>();
        foreach (var file in platform.Render(definition))
        {
            var onDisk = ReadOrNull(file.Path);
            if (onDisk is null)
            {
                drift.Add($"{file.Path} is missing");
            }
            else if (!string.Equals(onDisk, file.Content, StringComparison.Ordinal))
            {
                drift.Add($"{file.Path} differs from what 'gateway install' writes now ({FirstDifference(onDisk, file.Content)})");
            }
        }
        var running = context.Snapshot.GatewayPid is { } pid ? Status.ProcessExecutable.Of(pid) : null;
        var unitProgram = record.Command.Count > 0 ? record.Command[0] : null;
        if (unitProgram is not null && running is not null && !ServiceStatus.SameFile(unitProgram, running))
        {
            drift.Add($"the service runs {unitProgram} but the running gateway is {running}");
        }
        if (drift.Count == 0)
        {
            return DoctorFinding.Healthy(Name, $"the {ServiceInstaller.Describe(record)} matches what 'gateway install' would write");
        }
        return new DoctorFinding(Name, false, string.Join("; ", drift),
            "clawsharp gateway install --force (rewrites the definition and restarts the service, then waits until it is ready)", fix ? false : null);
    }

    /// <summary>The <c>--port</c>, <c>--bind</c>, <c>--auth</c> and <c>--password-file</c> the recorded command line carries (install's flags).</summary>
    private static ConfigOverrides OverridesOf(IReadOnlyList<string> command)
    {
        int? port = null;
        IPAddress? bind = null;
        AuthMode? auth = null;
        string? passwordFile = null;
        for (var i = 0; i + 1 < command.Count; i++)
        {
            if (command[i] == "--port" && int.TryParse(command[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                port = p;
            }
            else if (command[i] == "--bind" && IPAddress.TryParse(command[i + 1], out var b))
            {
                bind = b;
            }
            else if (command[i] == "--auth" && Enum.TryParse<AuthMode>(command[i + 1], ignoreCase: true, out var a))
            {
                auth = a;
            }
            else if (command[i] == "--password-file")
            {
                passwordFile = command[i + 1];
            }
        }
        return new ConfigOverrides { Port = port, Bind = bind, AuthMode = auth, PasswordFile = passwordFile };
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string FirstDifference(string onDisk, string wanted)
    {
        var have = onDisk.Split('\n');
        var want = wanted.Split('\n');
        for (var i = 0; i < Math.Max(have.Length, want.Length); i++)
        {
            var a = i < have.Length ? have[i] : "";
            var b = i < want.Length ? want[i] : "";
            if (a != b)
            {
                return $"line {i + 1}: has '{a.Trim()}', install writes '{b.Trim()}'";
            }
        }
        return "whitespace";
    }
}
