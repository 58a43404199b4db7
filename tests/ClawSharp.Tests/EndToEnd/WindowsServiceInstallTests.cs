using ClawSharp.Control.Services;
using ClawSharp.Control.Services.Windows;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// <c>gateway install|uninstall</c> and start/stop/restart/status as a Windows service. Windows
/// cannot run here: recording stand-ins take every <c>sc.exe</c> and <c>reg.exe</c> call.
/// </summary>
public sealed class WindowsServiceInstallTests
{
    [Fact]
    public async Task Install_CreatesConfiguresAndStartsTheService_WithTheEnvironmentInTheRegistry_AndNoSecretAnywhereButTheEnvironmentFile()
    {
        using var f = new ServiceFixture("sc.exe", "reg.exe");
        var definition = f.Definition(ServicePlatform.Windows) with { Command = [@"C:\Program Files\ClawSharp\clawsharp.exe", "gateway", "run", "--home", @"C:\Users\Ada Lovelace\.clawsharp"] };
        var name = definition.Name;

        var result = await ServiceInstaller.InstallAsync(Platform(f), definition, force: false, TimeProvider.System, CancellationToken.None);

        var installed = Assert.IsType<InstallResult.Installed>(result);
        var delay = (long)definition.RestartDelay.TotalMilliseconds;
        var environment = string.Join('|', definition.Environment.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        Assert.Equal(
            [
                ["sc.exe", "create", name, "binPath=", @"""C:\Program Files\ClawSharp\clawsharp.exe"" gateway run --home ""C:\Users\Ada Lovelace\.clawsharp""",
                    "start=", "delayed-auto", "DisplayName=", $"ClawSharp gateway ({name})"],
                ["sc.exe", "description", name, $"The ClawSharp AI-agent gateway of {f.Home.Root}, on port {definition.Port}."],
                ["sc.exe", "failure", name, "reset=", ((long)definition.StartLimitInterval.TotalSeconds).ToString(), "actions=", $"restart/{delay}/restart/{delay * 2}/restart/{delay * 4}"],
                ["sc.exe", "failureflag", name, "1"],
                ["reg.exe", "add", $@"HKLM\SYSTEM\CurrentControlSet\Services\{name}", "/v", "Environment", "/t", "REG_MULTI_SZ", "/s", "|", "/d", environment, "/f"],
                ["sc.exe", "start", name],
            ],
            f.StandIns.Calls);
        Assert.Contains("CLAWSHARP_SUPERVISOR=windows", environment, StringComparison.Ordinal);
        Assert.Contains($"CLAWSHARP_ENV_FILE={f.Home.PathOf("service.env")}", environment, StringComparison.Ordinal);
        Assert.DoesNotContain(ServiceFixture.FakeApiKey, string.Join('\n', f.StandIns.Lines), StringComparison.Ordinal);
        Assert.Contains($"OPENAI_API_KEY={ServiceFixture.FakeApiKey}", File.ReadAllLines(f.Home.PathOf("service.env")));
        Assert.Equal([f.Home.PathOf("service.env")], installed.Record.Files);
        Assert.Contains(installed.Warnings, w => w.Contains("LocalSystem", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailedCreate_IsAnInstallErrorThatSaysWhy_AndNothingIsStarted()
    {
        using var f = new ServiceFixture("sc.exe", "reg.exe");
        f.StandIns.On("sc.exe", "create", 1073, stdout: "[SC] CreateService FAILED 1073:\r\n\r\nThe specified service already exists.\r\n");

        var result = await ServiceInstaller.InstallAsync(Platform(f), f.Definition(ServicePlatform.Windows), false, TimeProvider.System, CancellationToken.None);

        var failed = Assert.IsType<InstallResult.Failed>(result);
        Assert.Contains("The specified service already exists", failed.Error, StringComparison.Ordinal);
        Assert.Contains("sc.exe delete", failed.Error, StringComparison.Ordinal);
        Assert.Equal(["create"], f.StandIns.Calls.Select(call => call[1]));
    }

    [Fact]
    public async Task Uninstall_StopsThenDeletes_EvenAServiceThatNoLongerRuns()
    {
        using var f = new ServiceFixture("sc.exe", "reg.exe");
        var platform = Platform(f);
        var definition = f.Definition(ServicePlatform.Windows);
        var installed = (InstallResult.Installed)await ServiceInstaller.InstallAsync(platform, definition, false, TimeProvider.System, CancellationToken.None);
        f.StandIns.ClearCalls();
        f.StandIns.On("sc.exe", "stop", 1062, stdout: "[SC] ControlService FAILED 1062:\r\n\r\nThe service has not been started.\r\n");

        var result = await ServiceInstaller.UninstallAsync(platform, installed.Record, f.Home.State, CancellationToken.None);

        Assert.IsType<UninstallResult.Removed>(result);
        // Deleted only once the SCM says it stopped (a running service would merely be marked for deletion).
        Assert.Equal([$"sc.exe stop {definition.Name}", $"sc.exe queryex {definition.Name}", $"sc.exe delete {definition.Name}"], f.StandIns.Lines);
        Assert.False(File.Exists(f.Home.PathOf("service.env")));
    }

    [Fact]
    public async Task Uninstall_WaitsForADrainingServiceToStop_BeforeDeletingIt()
    {
        using var f = new ServiceFixture("sc.exe", "reg.exe");
        var platform = Platform(f);
        var definition = f.Definition(ServicePlatform.Windows);
        var installed = (InstallResult.Installed)await ServiceInstaller.InstallAsync(platform, definition, false, TimeProvider.System, CancellationToken.None);
        f.StandIns.ClearCalls();
        // STOP_PENDING while the gateway drains; the stand-in turns STOPPED after its second query.
        var pending = $"SERVICE_NAME: {definition.Name}\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        STATE              : 3  STOP_PENDING\r\n        PID                : 4242\r\n";
        f.StandIns.On("sc.exe", "queryex", 0, stdout: pending);
        var queries = 0;
        using var flip = new Timer(_ =>
        {
            if (f.StandIns.Lines.Count(line => line.StartsWith("sc.exe queryex", StringComparison.Ordinal)) >= 2 && Interlocked.Exchange(ref queries, 1) == 0)
            {
                f.StandIns.On("sc.exe", "queryex", 0, stdout: pending.Replace("3  STOP_PENDING", "1  STOPPED", StringComparison.Ordinal).Replace("4242", "0", StringComparison.Ordinal));
            }
        }, null, 0, 20);

        var result = await ServiceInstaller.UninstallAsync(platform, installed.Record, f.Home.State, CancellationToken.None);

        Assert.IsType<UninstallResult.Removed>(result);
        var lines = f.StandIns.Lines;
        Assert.True(lines.Count(line => line.StartsWith("sc.exe queryex", StringComparison.Ordinal)) >= 2, string.Join('\n', lines));
        Assert.Equal($"sc.exe delete {definition.Name}", lines[^1]);
    }

    [Fact]
    public async Task Control_StartStopRestartAndStatus_RunScExe()
    {
        using var f = new ServiceFixture("sc.exe", "reg.exe");
        var control = new WindowsServiceControl(Platform(f), "ClawSharpGateway");
        f.StandIns.On("sc.exe", "queryex", 0, stdout: "SERVICE_NAME: ClawSharpGateway\r\n        STATE              : 1  STOPPED \r\n        PID                : 0\r\n");
        f.StandIns.On("sc.exe", "start", 1056, stdout: "[SC] StartService FAILED 1056:\r\n\r\nAn instance of the service is already running.\r\n");

        Assert.False(await control.StartAsync(CancellationToken.None));
        Assert.True(await control.StopAsync(CancellationToken.None));
        await control.RestartAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        var status = await control.StatusAsync(CancellationToken.None);

        Assert.Equal(new WindowsServiceStatus(true, "STOPPED", null, null, null), status);
        Assert.Equal(
            ["sc.exe start ClawSharpGateway", "sc.exe stop ClawSharpGateway", "sc.exe stop ClawSharpGateway", "sc.exe queryex ClawSharpGateway",
                "sc.exe start ClawSharpGateway", "sc.exe queryex ClawSharpGateway"],
            f.StandIns.Lines);
    }

    [Fact]
    public async Task StatusOfAServiceThatDoesNotExist_IsMissing()
    {
        using var f = new ServiceFixture("sc.exe", "reg.exe");
        f.StandIns.On("sc.exe", "queryex", 1060, stdout: "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n");

        Assert.Equal(WindowsServiceStatus.Missing, await new WindowsServiceControl(Platform(f), "ClawSharpGateway").StatusAsync(CancellationToken.None));
    }

    private static WindowsServicePlatform Platform(ServiceFixture f) =>
        new(new ServiceControlManager(f.StandIns.PathOf("sc.exe"), f.StandIns.PathOf("reg.exe")));
}
