using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Systemd;

/// <summary><c>clawsharp doctor --fix</c> against a real systemd 252 (<see cref="SystemdContainer"/>): a drifted unit is rewritten and reloaded while the gateway keeps serving.</summary>
public sealed class SystemdDoctorTests
{
    private const string Service = "clawsharp-gateway.service";
    private const string UnitPath = "/etc/systemd/system/" + Service;

    [Fact]
    public async Task A_drifted_unit_is_rewritten_and_reloaded_by_doctor_fix_and_the_gateway_keeps_serving_in_the_same_process()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();
        var install = await container.ExecAsync(SystemdContainer.ClawSharp, "gateway", "install", "--system", "--port", port.ToString());
        Assert.True(install.ExitCode == 0, $"{install}\n{container}");
        var mainPid = await container.ShowAsync(Service, "MainPID");
        var installed = await File.ReadAllTextAsync(container.HostPath(UnitPath));
        // An edit by hand (not through a drop-in): systemd now runs a unit that differs from its file.
        await File.WriteAllTextAsync(container.HostPath(UnitPath), installed.Replace("TimeoutStopSec=", "TimeoutStopSec=1\n# was: TimeoutStopSec=", StringComparison.Ordinal));
        Assert.Equal("yes", await container.ShowAsync(Service, "NeedDaemonReload"));

        var doctor = await container.ExecAsync(SystemdContainer.ClawSharp, "doctor", "--fix", "--json");

        using var report = JsonDocument.Parse(doctor.Stdout);
        var service = report.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "service");
        Assert.True(service.GetProperty("fixed").GetBoolean(), doctor.ToString());
        Assert.True(service.GetProperty("finding").GetString()!.Contains($"the running gateway (pid {mainPid}) keeps the definition it started with", StringComparison.Ordinal),
            doctor.ToString());
        Assert.Equal(installed, await File.ReadAllTextAsync(container.HostPath(UnitPath)));
        Assert.Equal("no", await container.ShowAsync(Service, "NeedDaemonReload"));
        Assert.Equal("active", await container.ShowAsync(Service, "ActiveState"));
        Assert.Equal(mainPid, await container.ShowAsync(Service, "MainPID"));
        Assert.Equal("running", await container.ShowAsync(Service, "SubState"));

        var again = await container.ExecAsync(SystemdContainer.ClawSharp, "doctor", "--json");
        using var second = JsonDocument.Parse(again.Stdout);
        Assert.True(second.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "service").GetProperty("ok").GetBoolean(),
            again.ToString());
    }
}
