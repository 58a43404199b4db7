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
/// (<see cref="ServiceStatus.FindDrift"/>). <c>--fix</c> rewrites drifted files in place without stopping
/// anything (<see cref="ServiceDefinitionRewrite"/>); a running gateway picks the new definition up at its
/// next start, which <c>gateway install --force</c> brings about at once (it restarts the service and waits until ready).
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
        var files = platform.Render(definition);
        var fileDrift = new List<string>();
        foreach (var file in files)
        {
            var onDisk = ReadOrNull(file.Path);
            if (onDisk is null)
            {
                fileDrift.Add($"{file.Path} is missing");
            }
            else if (!string.Equals(onDisk, file.Content, StringComparison.Ordinal))
            {
                fileDrift.Add($"{file.Path} differs from what 'gateway install' writes now ({FirstDifference(onDisk, file.Content)})");
            }
        }
        var runningPid = context.Snapshot.GatewayPid;
        const string Install = "clawsharp gateway install --force (rewrites the definition and restarts the service, then waits until it is ready)";
        if (fix && fileDrift.Count > 0)
        {
            var rewrite = ServiceDefinitionRewrite.Apply(record, definition, files, runningPid ?? ManagerMainPid(record));
            var found = string.Join("; ", fileDrift);
            if (!rewrite.Done)
            {
                return new DoctorFinding(Name, false, $"{found}; {rewrite.Said}", Install, Fixed: false);
            }
            // The binary the rewritten unit names may still differ from the running one: that waits for the next start.
            var binary = BinaryDrift(context, [.. definition.Command]);
            return binary is null
                ? new DoctorFinding(Name, true, $"{found}: {rewrite.Said}", ServiceDefinitionRewrite.ApplyNow, Fixed: true)
                : new DoctorFinding(Name, false, $"{found}: {rewrite.Said}; {binary}", ServiceDefinitionRewrite.ApplyNow, Fixed: false);
        }
        var drift = new List<string>(fileDrift);
        if (BinaryDrift(context, record.Command) is { } runs)
        {
            drift.Add(runs);
        }
        if (drift.Count == 0)
        {
            return DoctorFinding.Healthy(Name, $"the {ServiceInstaller.Describe(record)} matches what 'gateway install' would write");
        }
        return new DoctorFinding(Name, false, string.Join("; ", drift), fileDrift.Count > 0 ? $"clawsharp doctor --fix (rewrites the definition without a restart) or {Install}" : Install,
            fix ? false : null);
    }

    /// <summary>The process the manager says the service runs: the lock may not name it (a gateway still starting, or one whose lock cannot be verified).</summary>
    private static int? ManagerMainPid(ServiceRecord record)
    {
        try
        {
            var view = ServicePlatforms.Control(record.Platform).ViewAsync(record, CancellationToken.None).GetAwaiter().GetResult();
            return view.Running ? view.MainPid : null;
        }
        catch (ServiceCommandException)
        {
            return null;
        }
    }

    /// <summary>Whether the running gateway is another binary than the one the service command names; null when they agree (or nothing runs).</summary>
    private static string? BinaryDrift(DoctorContext context, IReadOnlyList<string> command)
    {
        var running = context.Snapshot.GatewayPid is { } pid ? Status.ProcessExecutable.Of(pid) : null;
        var unitProgram = command.Count > 0 ? command[0] : null;
        return unitProgram is not null && running is not null && !ServiceStatus.SameFile(unitProgram, running)
            ? $"the service runs {unitProgram} but the running gateway is {running}"
            : null;
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
