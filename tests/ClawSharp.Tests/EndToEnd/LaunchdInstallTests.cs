using System.Diagnostics;
using System.Text.Json;
using ClawSharp.Control.Services;
using ClawSharp.Control.Services.Launchd;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// <c>gateway install|uninstall</c> and start/stop/restart/status under launchd. launchd cannot
/// run here: a recording stand-in takes every <c>launchctl</c> call, the LaunchAgents directory
/// is a temp directory, and Python's plistlib (the reader closest to launchd's own) checks the plist.
/// </summary>
public sealed class LaunchdInstallTests
{
    private const int Uid = 501;

    [Fact]
    public async Task Install_WritesAnOwnerOnlyPlistThatPlistlibReads_WithEveryKey_AndTheSecretOnlyInTheEnvironmentFile()
    {
        using var f = new ServiceFixture("launchctl");
        var platform = Platform(f);
        var definition = f.Definition(ServicePlatform.Launchd);

        var result = await ServiceInstaller.InstallAsync(platform, definition, force: false, TimeProvider.System, CancellationToken.None);

        Assert.IsType<InstallResult.Installed>(result);
        var plist = platform.PlistPath(ServiceScope.User, definition.Name);
        Assert.Equal(Path.Combine(f.UserHome, "Library", "LaunchAgents", "ai.clawsharp.gateway.h" + definition.Name.Split(".h")[^1] + ".plist"), plist);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(plist));
        var d = ReadPlist(plist);
        Assert.Equal(definition.Name, d.GetProperty("Label").GetString());
        Assert.Equal(definition.Command, d.GetProperty("ProgramArguments").EnumerateArray().Select(a => a.GetString()!));
        var environment = d.GetProperty("EnvironmentVariables");
        Assert.Equal("launchd", environment.GetProperty("CLAWSHARP_SUPERVISOR").GetString());
        Assert.Equal(definition.Name, environment.GetProperty("CLAWSHARP_SERVICE_NAME").GetString());
        Assert.Equal(f.Home.PathOf("service.env"), environment.GetProperty("CLAWSHARP_ENV_FILE").GetString());
        Assert.Equal(definition.Environment.Keys.Order(), environment.EnumerateObject().Select(p => p.Name).Order());
        Assert.True(d.GetProperty("KeepAlive").GetBoolean());
        Assert.True(d.GetProperty("RunAtLoad").GetBoolean());
        Assert.Equal(LaunchdPlist.ThrottleSeconds(definition.RestartDelay), d.GetProperty("ThrottleInterval").GetInt32());
        Assert.Equal((int)definition.StopTimeout.TotalSeconds, d.GetProperty("ExitTimeOut").GetInt32());
        Assert.Equal("Standard", d.GetProperty("ProcessType").GetString());
        Assert.Equal(f.Home.PathOf("logs/service.log"), d.GetProperty("StandardOutPath").GetString());
        Assert.Equal(f.Home.PathOf("logs/service.log"), d.GetProperty("StandardErrorPath").GetString());
        Assert.Equal(f.Home.Root, d.GetProperty("WorkingDirectory").GetString());
        Assert.False(d.TryGetProperty("UserName", out _));
        // The secret: only in the owner-only environment file the gateway loads itself.
        Assert.DoesNotContain(ServiceFixture.FakeApiKey, File.ReadAllText(plist), StringComparison.Ordinal);
        Assert.Contains($"OPENAI_API_KEY={ServiceFixture.FakeApiKey}", File.ReadAllLines(f.Home.PathOf("service.env")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f.Home.PathOf("service.env")));
        Assert.DoesNotContain(ServiceFixture.FakeApiKey, string.Join('\n', f.StandIns.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_EnablesBootstrapsAndKickstartsTheAgent_InTheUsersGuiDomain()
    {
        using var f = new ServiceFixture("launchctl");
        var platform = Platform(f);
        var definition = f.Definition(ServicePlatform.Launchd);

        await ServiceInstaller.InstallAsync(platform, definition, force: false, TimeProvider.System, CancellationToken.None);

        var service = $"gui/{Uid}/{definition.Name}";
        Assert.Equal(
            [$"launchctl enable {service}", $"launchctl bootstrap gui/{Uid} {platform.PlistPath(ServiceScope.User, definition.Name)}", $"launchctl kickstart {service}"],
            f.StandIns.Lines);
        Assert.True(Directory.Exists(f.Home.State.LogsDirectory), "launchd does not create StandardOutPath's directory");
    }

    [Fact]
    public async Task ASystemInstall_IsALaunchDaemonInTheSystemDomain_RunAsItsUser()
    {
        using var f = new ServiceFixture("launchctl");
        var daemons = Path.Combine(f.UserHome, "LaunchDaemons");
        var platform = new LaunchdPlatform(Path.Combine(f.UserHome, "Library", "LaunchAgents"), daemons, f.StandIns.PathOf("launchctl"), () => Uid);
        var definition = f.Definition(ServicePlatform.Launchd, ServiceScope.System) with { User = "_clawsharp" };

        await ServiceInstaller.InstallAsync(platform, definition, force: false, TimeProvider.System, CancellationToken.None);

        var plist = Path.Combine(daemons, definition.Name + ".plist");
        Assert.Equal("_clawsharp", ReadPlist(plist).GetProperty("UserName").GetString());
        Assert.Equal($"launchctl bootstrap system {plist}", f.StandIns.Lines[1]);
    }

    [Fact]
    public async Task ABootstrapThatFails_IsAnInstallErrorThatSaysWhatToTry_AndNothingIsStarted()
    {
        using var f = new ServiceFixture("launchctl");
        f.StandIns.On("launchctl", "bootstrap", 5, stderr: "Bootstrap failed: 5: Input/output error\n");
        var platform = Platform(f);
        var definition = f.Definition(ServicePlatform.Launchd);

        var result = await ServiceInstaller.InstallAsync(platform, definition, force: false, TimeProvider.System, CancellationToken.None);

        var failed = Assert.IsType<InstallResult.Failed>(result);
        var plist = platform.PlistPath(ServiceScope.User, definition.Name);
        Assert.Contains("Bootstrap failed: 5: Input/output error", failed.Error, StringComparison.Ordinal);
        Assert.Contains($"xattr -c {plist}", failed.Error, StringComparison.Ordinal);
        Assert.Contains($"launchctl bootout gui/{Uid}/{definition.Name}", failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(f.StandIns.Lines, line => line.StartsWith("launchctl kickstart", StringComparison.Ordinal));
        Assert.Null(GatewayLock.ReadOwner(f.Home.State.LockFile));
    }

    [Fact]
    public async Task Reinstall_WithoutForce_IsAlreadyInstalled_AndRunsNothing_WithForceItBootsTheOldJobOutFirst()
    {
        using var f = new ServiceFixture("launchctl");
        var platform = Platform(f);
        var definition = f.Definition(ServicePlatform.Launchd);
        await ServiceInstaller.InstallAsync(platform, definition, force: false, TimeProvider.System, CancellationToken.None);
        f.StandIns.ClearCalls();

        var again = await ServiceInstaller.InstallAsync(platform, definition, force: false, TimeProvider.System, CancellationToken.None);

        Assert.IsType<InstallResult.AlreadyInstalled>(again);
        Assert.Empty(f.StandIns.Lines);

        var forced = await ServiceInstaller.InstallAsync(platform, definition, force: true, TimeProvider.System, CancellationToken.None);

        Assert.IsType<InstallResult.Installed>(forced);
        Assert.Equal(["bootout", "enable", "bootstrap", "kickstart"], f.StandIns.Calls.Select(call => call[1]));
    }

    [Fact]
    public async Task Uninstall_BootsTheJobOut_AndRemovesEveryFile_EvenWhenLaunchdNoLongerKnowsIt()
    {
        using var f = new ServiceFixture("launchctl");
        var platform = Platform(f);
        var definition = f.Definition(ServicePlatform.Launchd);
        var installed = (InstallResult.Installed)await ServiceInstaller.InstallAsync(platform, definition, false, TimeProvider.System, CancellationToken.None);
        f.StandIns.ClearCalls();
        f.StandIns.On("launchctl", "bootout", 3, stderr: "Boot-out failed: 3: No such process\n");

        var result = await ServiceInstaller.UninstallAsync(platform, installed.Record, f.Home.State, CancellationToken.None);

        var removed = Assert.IsType<UninstallResult.Removed>(result);
        Assert.Equal([$"launchctl bootout gui/{Uid}/{definition.Name}"], f.StandIns.Lines);
        Assert.Equal(installed.Record.Files.Order(), removed.Files.Order());
        Assert.All(installed.Record.Files, file => Assert.False(File.Exists(file), file));
    }

    [Fact]
    public async Task Control_StartLoadsAStoppedJobFirst_StopBootsItOut_RestartKickstartsWithKill_StatusReadsPrint()
    {
        using var f = new ServiceFixture("launchctl");
        var platform = Platform(f);
        var control = new LaunchdControl(platform, ServiceScope.User, "ai.clawsharp.gateway");
        var service = $"gui/{Uid}/ai.clawsharp.gateway";
        var plist = platform.PlistPath(ServiceScope.User, "ai.clawsharp.gateway");

        f.StandIns.On("launchctl", "print", 113, stderr: "Could not find service \"ai.clawsharp.gateway\" in domain for user gui: 501\n");
        Assert.False((await control.StatusAsync(CancellationToken.None)).Loaded);
        await control.StartAsync(CancellationToken.None);
        f.StandIns.On("launchctl", "print", 0, stdout: $"{service} = {{\n\tstate = running\n\truns = 1\n\tpid = 777\n\tlast exit code = (never exited)\n}}\n");
        await control.StartAsync(CancellationToken.None);
        await control.RestartAsync(CancellationToken.None);
        var status = await control.StatusAsync(CancellationToken.None);
        Assert.True(await control.StopAsync(CancellationToken.None));

        Assert.Equal(new LaunchdJobStatus(true, "running", 777, null, 1), status);
        Assert.Equal(
            [
                $"launchctl print {service}",
                $"launchctl print {service}", $"launchctl bootstrap gui/{Uid} {plist}", $"launchctl kickstart {service}",
                $"launchctl print {service}", $"launchctl kickstart {service}",
                $"launchctl print {service}", $"launchctl kickstart -k {service}",
                $"launchctl print {service}",
                $"launchctl bootout {service}",
            ],
            f.StandIns.Lines);
    }

    [Fact]
    public async Task ValuesThatXmlMustEscape_ComeBackExactly()
    {
        using var f = new ServiceFixture("launchctl");
        var odd = Path.Combine(f.Home.Root, "a&b <c> \"d\" 'e'");
        Directory.CreateDirectory(odd);
        var definition = f.Definition(ServicePlatform.Launchd, state: new StateDirectory(odd));

        var plist = Platform(f).Render(definition)[0];
        var path = Path.Combine(f.Home.Root, "odd.plist");
        File.WriteAllText(path, plist.Content);

        var d = ReadPlist(path);
        Assert.Equal(odd, d.GetProperty("WorkingDirectory").GetString());
        Assert.Equal(odd, d.GetProperty("EnvironmentVariables").GetProperty("CLAWSHARP_HOME").GetString());
        Assert.Contains(odd, d.GetProperty("ProgramArguments").EnumerateArray().Select(a => a.GetString()));
    }

    private static LaunchdPlatform Platform(ServiceFixture f) =>
        new(Path.Combine(f.UserHome, "Library", "LaunchAgents"), Path.Combine(f.UserHome, "LaunchDaemons"), f.StandIns.PathOf("launchctl"), () => Uid);

    /// <summary>The plist as Python's plistlib reads it, as JSON.</summary>
    private static JsonElement ReadPlist(string path)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-c", "import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))", path])
        {
            info.ArgumentList.Add(argument);
        }
        using var python = Process.Start(info)!;
        var output = python.StandardOutput.ReadToEnd();
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, $"plistlib could not read {path}: {error}\n{File.ReadAllText(path)}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
