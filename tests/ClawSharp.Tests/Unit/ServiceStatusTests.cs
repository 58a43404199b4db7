using ClawSharp.Control.Services;
using ClawSharp.Control.Services.Systemd;

namespace ClawSharp.Tests.Unit;

/// <summary>What <c>status</c> says about an installed service: systemd's view parsed, drift found.</summary>
public sealed class ServiceStatusTests
{
    private static readonly ServiceView Unit = new("systemd", true, true, false, 12, "/usr/local/bin/clawsharp", "systemd: active (running)",
        new Dictionary<string, string>());

    [Fact]
    public void No_drift_when_the_unit_the_gateway_and_the_cli_agree() =>
        Assert.Empty(ServiceStatus.FindDrift(Unit, "/usr/local/bin/clawsharp", "/usr/local/bin/clawsharp"));

    [Fact]
    public void A_gateway_running_another_binary_than_the_unit_names_is_drift()
    {
        var drift = ServiceStatus.FindDrift(Unit, "/opt/old/clawsharp", "/usr/local/bin/clawsharp");

        Assert.Contains(drift, line => line.Contains("the running gateway is /opt/old/clawsharp", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cli_that_is_not_the_units_binary_is_drift()
    {
        var drift = ServiceStatus.FindDrift(Unit, "/usr/local/bin/clawsharp", "/home/me/src/clawsharp");

        Assert.Contains(drift, line => line.Contains("not this CLI (/home/me/src/clawsharp)", StringComparison.Ordinal) && line.Contains("install --force", StringComparison.Ordinal));
    }

    [Fact]
    public void Systemctl_show_is_read_into_a_view_that_says_when_systemd_gave_up()
    {
        var show = SystemdUnitView.ParseShow("""
            LoadState=loaded
            ActiveState=failed
            SubState=failed
            Result=signal
            MainPID=0
            NRestarts=4
            ExecMainStatus=9
            ExecMainCode=2
            ExecStart={ path=/usr/local/bin/clawsharp ; argv[]=/usr/local/bin/clawsharp gateway run --home /root/.clawsharp ; ignore_errors=no }
            """);

        var view = SystemdUnitView.From(show);

        Assert.True(view.GaveUp);
        Assert.Equal("/usr/local/bin/clawsharp", view.ExecStartProgram);
        Assert.StartsWith("systemd gave up after 4 restarts, last signal 9", view.Describe(), StringComparison.Ordinal);
        Assert.Equal("exit 78", SystemdUnitView.From(new Dictionary<string, string> { ["ExecMainCode"] = "1", ["ExecMainStatus"] = "78" }).LastExit);
    }

    [Fact]
    public async Task Lingering_off_is_a_warning_with_the_command_that_fixes_it()
    {
        // No systemd-logind here: loginctl fails and the linger file decides; this user has none.
        var warning = await SystemdPlatform.LingerWarningAsync("clawsharp-no-such-user", CancellationToken.None);

        Assert.NotNull(warning);
        Assert.Contains("sudo loginctl enable-linger clawsharp-no-such-user", warning, StringComparison.Ordinal);
    }
}
