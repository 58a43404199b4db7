using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Systemd;

/// <summary>
/// <c>gateway install</c> and the lifecycle under a real systemd 252, booted in a container
/// (<see cref="SystemdContainer"/>), with this build's binary and real <c>systemctl</c>.
/// </summary>
public sealed class SystemdServiceTests
{
    private const string Service = "clawsharp-gateway.service";
    private const string Socket = "clawsharp-gateway.socket";
    private const string FakeApiKey = "sk-systemd-test-secret-0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Restarts back to back: the 30 s cooldown between restarts would make ten of them outlast the start-limit window.</summary>
    private const string NoCooldown = """{ "gateway": { "reload": { "cooldownMs": 0 } } }""";

    [Fact]
    public async Task A_system_install_writes_enables_and_starts_the_units_and_status_agrees_and_uninstall_leaves_nothing()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();

        var install = await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString(), "--json");

        Assert.True(install.ExitCode == 0, $"{install}\n{container}");
        using var installed = JsonDocument.Parse(install.Stdout);
        Assert.Equal("systemd", installed.RootElement.GetProperty("manager").GetString());
        Assert.Equal("active", await container.ShowAsync(Service, "ActiveState"));
        Assert.Equal("enabled", (await container.ExecAsync("systemctl", "is-enabled", Service)).Stdout.Trim());
        Assert.Equal("enabled", (await container.ExecAsync("systemctl", "is-enabled", Socket)).Stdout.Trim());
        var mainPid = int.Parse(await container.ShowAsync(Service, "MainPID"));
        Assert.Equal(mainPid, installed.RootElement.GetProperty("pid").GetInt32());
        // Type=notify: systemd calls it started once the gateway said READY=1, with its STATUS= line.
        Assert.Equal($"serving on 127.0.0.1:{port}", await container.ShowAsync(Service, "StatusText"));

        var status = await ClawSharpAsync(container, "gateway", "status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        using var reported = JsonDocument.Parse(status.Stdout);
        Assert.Equal(mainPid, reported.RootElement.GetProperty("pid").GetInt32());
        var service = reported.RootElement.GetProperty("service");
        Assert.Equal("systemd", service.GetProperty("manager").GetString());
        Assert.Equal(mainPid, service.GetProperty("mainPid").GetInt32());
        Assert.Equal("active", service.GetProperty("properties").GetProperty("ActiveState").GetString());
        Assert.Equal(0, service.GetProperty("drift").GetArrayLength());

        // Secrets: only in the owner-only environment file; the units are world-readable and hold none.
        var files = installed.RootElement.GetProperty("files").EnumerateArray().Select(file => file.GetString()!).ToList();
        Assert.Contains("/etc/systemd/system/clawsharp-gateway.service", files);
        Assert.Contains("/etc/systemd/system/clawsharp-gateway.socket", files);
        foreach (var file in files)
        {
            var text = await File.ReadAllTextAsync(container.HostPath(file));
            var mode = File.GetUnixFileMode(container.HostPath(file));
            if (file.EndsWith("service.env", StringComparison.Ordinal))
            {
                Assert.Contains(FakeApiKey, text, StringComparison.Ordinal);
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
            }
            else
            {
                Assert.DoesNotContain(FakeApiKey, text, StringComparison.Ordinal);
            }
        }

        // The manager's own log of the unit, beside the gateway's log.
        var journal = await ClawSharpAsync(container, "gateway", "logs", "--service", "-n", "200");
        Assert.True(journal.ExitCode == 0, journal.ToString());
        Assert.Contains("Started clawsharp-gateway.service", journal.Stdout, StringComparison.Ordinal);

        var uninstall = await ClawSharpAsync(container, "gateway", "uninstall", "--json");
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.All(files, file => Assert.False(File.Exists(container.HostPath(file)), $"{file} is left after uninstall"));
        Assert.False(File.Exists(container.HostPath("/root/.clawsharp/service.json")));
        Assert.Equal("not-found", await container.ShowAsync(Service, "LoadState"));
        Assert.Equal("inactive", await container.ShowAsync(Socket, "ActiveState"));
    }

    [Fact]
    public async Task Installing_over_an_existing_definition_without_force_says_what_exists_and_exits_1()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();
        Assert.Equal(0, (await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString())).ExitCode);

        var again = await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString(), "--json");

        Assert.Equal(1, again.ExitCode);
        using var refused = JsonDocument.Parse(again.Stdout);
        Assert.Equal("exists", refused.RootElement.GetProperty("result").GetString());
        Assert.Contains("systemd system service clawsharp-gateway is already installed", refused.RootElement.GetProperty("error").GetString());

        var forced = await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString(), "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Equal("active", await container.ShowAsync(Service, "ActiveState"));
    }

    [Fact]
    public async Task A_user_install_runs_under_the_users_own_manager()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();

        var install = await container.ExecAsUserAsync(SystemdContainer.ClawSharp, "gateway", "install", "--port", port.ToString(), "--json");

        Assert.True(install.ExitCode == 0, $"{install}\n{container}");
        var userShow = await container.ExecAsUserAsync("systemctl", "--user", "show", Service, "-p", "ActiveState", "--value");
        Assert.Equal("active", userShow.Stdout.Trim());
        Assert.True(File.Exists(container.HostPath($"/home/{SystemdContainer.User}/.config/systemd/user/{Service}")));
        // Lingering is on for this user in the tree, so install has nothing to warn about.
        Assert.DoesNotContain("lingering is off", install.Stdout + install.Stderr, StringComparison.Ordinal);
        var status = await container.ExecAsUserAsync(SystemdContainer.ClawSharp, "gateway", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("systemd user service clawsharp-gateway: systemd: active (running)", status.Stdout, StringComparison.Ordinal);

        var stop = await container.ExecAsUserAsync(SystemdContainer.ClawSharp, "gateway", "stop", "--json");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal("inactive", (await container.ExecAsUserAsync("systemctl", "--user", "show", Service, "-p", "ActiveState", "--value")).Stdout.Trim());
        var start = await container.ExecAsUserAsync(SystemdContainer.ClawSharp, "gateway", "start", "--json");
        Assert.True(start.ExitCode == 0, start.ToString());
        using var started = JsonDocument.Parse(start.Stdout);
        Assert.Equal("systemd", started.RootElement.GetProperty("manager").GetString());
    }

    [Fact]
    public async Task A_second_launcher_is_refused_while_the_service_runs()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();
        Assert.Equal(0, (await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString())).ExitCode);
        var mainPid = await container.ShowAsync(Service, "MainPID");

        var foreground = await ClawSharpAsync(container, "gateway", "run", "--port", port.ToString());

        Assert.Equal(1, foreground.ExitCode);
        Assert.Contains($"already running (pid {mainPid}, port {port}, managed by systemd)", foreground.Stderr, StringComparison.Ordinal);
        Assert.Equal(mainPid, await container.ShowAsync(Service, "MainPID"));
    }

    [Fact]
    public async Task Restarts_and_a_kill_9_under_socket_activation_refuse_no_connection()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();
        await container.WriteFileAsync("/root/.clawsharp/config.json", NoCooldown);
        Assert.Equal(0, (await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString())).ExitCode);
        var firstPid = await container.ShowAsync(Service, "MainPID");

        using var load = new ConnectLoop(port);
        for (var i = 0; i < 3; i++)
        {
            var restart = await ClawSharpAsync(container, "gateway", "restart", "--json");
            Assert.True(restart.ExitCode == 0, restart.ToString());
        }
        // A requested restart keeps the PID: systemd sees no new start.
        Assert.Equal(firstPid, await container.ShowAsync(Service, "MainPID"));
        Assert.Equal("0", await container.ShowAsync(Service, "NRestarts"));

        Assert.Equal(0, (await container.ExecAsync("kill", "-9", firstPid)).ExitCode);
        await Eventually.AssertAsync(async () => await container.ShowAsync(Service, "NRestarts") == "1"
            && await container.ShowAsync(Service, "ActiveState") == "active", Deadline, "systemd to restart the killed gateway");
        var answeredBefore = load.Answered;
        await Eventually.AssertAsync(() => load.Answered > answeredBefore + 20, Deadline, "the restarted gateway to answer");
        load.Stop();

        Assert.True(load.Refused == 0, $"{load.Refused} of {load.Attempts} connections refused ({load.FirstError})");
        Assert.NotEqual(firstPid, await container.ShowAsync(Service, "MainPID"));
    }

    [Fact]
    public async Task Requested_restarts_never_trip_the_start_limit_a_crash_storm_does_and_start_recovers()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();
        await container.WriteFileAsync("/root/.clawsharp/config.json", NoCooldown);
        Assert.Equal(0, (await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString())).ExitCode);

        for (var i = 0; i < 10; i++)
        {
            var restart = await ClawSharpAsync(container, "gateway", "restart", "--json");
            Assert.True(restart.ExitCode == 0, $"restart {i + 1}: {restart}");
        }
        Assert.Equal("active", await container.ShowAsync(Service, "ActiveState"));
        Assert.Equal("0", await container.ShowAsync(Service, "NRestarts"));

        // 4 crashes within the window: the 5th start is refused (StartLimitBurst=4 counts the first start too).
        for (var crash = 1; crash <= 4; crash++)
        {
            await Eventually.AssertAsync(async () => await container.ShowAsync(Service, "SubState") == "running", Deadline, $"running before crash {crash}");
            var pid = await container.ShowAsync(Service, "MainPID");
            Assert.Equal(0, (await container.ExecAsync("kill", "-9", pid)).ExitCode);
            await Eventually.AssertAsync(async () => await container.ShowAsync(Service, "MainPID") != pid, Deadline, $"crash {crash} noticed");
        }
        await Eventually.AssertAsync(async () => await container.ShowAsync(Service, "ActiveState") == "failed", Deadline, "systemd to give up");
        var systemdSays = (await container.ExecAsync("systemctl", "status", Service, "--no-pager", "-n", "20")).Stdout;
        // systemd's restart counter counts the restart it then refused ("restart counter is at 4").
        Assert.True(await container.ShowAsync(Service, "NRestarts") == "4", systemdSays);
        Assert.Contains("Start request repeated too quickly", systemdSays, StringComparison.Ordinal);

        var status = await ClawSharpAsync(container, "gateway", "status");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("systemd gave up after 4 restarts, last signal 9", status.Stdout, StringComparison.Ordinal);

        var start = await ClawSharpAsync(container, "gateway", "start", "--json");
        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("active", await container.ShowAsync(Service, "ActiveState"));
    }

    [Fact]
    public async Task A_wedged_event_loop_is_killed_by_the_watchdog_and_restarted()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();
        Assert.Equal(0, (await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString())).ExitCode);
        await DropInAsync(container, "WatchdogSec=2", "Environment=CLAWSHARP_TEST_FAULTS=wedge-loop-when-marked");
        var pid = await container.ShowAsync(Service, "MainPID");

        // The next heartbeat the loop handles blocks it for good (one-shot: the marker is removed).
        await container.WriteFileAsync("/root/.clawsharp/test-fault-wedge-loop", "");

        await Eventually.AssertAsync(async () => await container.ShowAsync(Service, "NRestarts") == "1", Deadline, "the watchdog to kill the wedged gateway");
        await Eventually.AssertAsync(async () => await container.ShowAsync(Service, "SubState") == "running", Deadline, "systemd to start it again");
        Assert.NotEqual(pid, await container.ShowAsync(Service, "MainPID"));
        var journal = (await container.ExecAsync("journalctl", "-u", Service, "--no-pager")).Stdout;
        Assert.Contains("Watchdog timeout", journal, StringComparison.Ordinal);
        var status = await ClawSharpAsync(container, "gateway", "status");
        Assert.True(status.ExitCode == 0, status.ToString());
    }

    [Fact]
    public async Task A_stop_drains_a_run_past_the_stop_timeout_with_status_lines_and_the_tool_process_gets_no_sigterm()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();
        // The tool records any SIGTERM it gets, and that it finished: 9 s, longer than the 6 s stop timeout below.
        var tool = "trap 'echo TERM >> /tmp/tool-signals' TERM; sleep 9 & wait; echo finished > /tmp/tool-finished; cat";
        await container.WriteFileAsync("/root/.clawsharp/config.json", $$"""
            { "shutdown": { "drainTimeoutMs": 30000 },
              "agents": { "default": "exec", "exec": { "command": {{JsonSerializer.Serialize(tool)}}, "timeoutMs": 60000 } } }
            """);
        Assert.Equal(0, (await ClawSharpAsync(container, "gateway", "install", "--system", "--port", port.ToString())).ExitCode);
        // A stop timeout shorter than the run: only EXTEND_TIMEOUT_USEC keeps systemd from killing the drain.
        await DropInAsync(container, "TimeoutStopSec=6", "Environment=CLAWSHARP_STOP_TIMEOUT_SEC=6");
        var send = await ClawSharpAsync(container, "send", "--session", "s1", "hello");
        Assert.True(send.ExitCode == 0, send.ToString());
        await Eventually.AssertAsync(async () => (await container.ShowAsync(Service, "StatusText")).StartsWith("serving", StringComparison.Ordinal)
            && (await ClawSharpAsync(container, "gateway", "status", "--json")).Stdout.Contains("\"activeRuns\": 1", StringComparison.Ordinal),
            Deadline, "the run to be active");

        var stop = container.ExecAsync("systemctl", "stop", Service);
        await Eventually.AssertAsync(async () => (await container.ShowAsync(Service, "StatusText")).StartsWith("draining: 1 run", StringComparison.Ordinal),
            Deadline, "STATUS=draining while the run drains");
        var stopped = await stop;

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Equal("success", await container.ShowAsync(Service, "Result"));
        Assert.True(File.Exists(container.HostPath("/tmp/tool-finished")), "the tool process did not finish: it was killed mid-drain");
        Assert.False(File.Exists(container.HostPath("/tmp/tool-signals")), "the tool process got a SIGTERM (KillMode=mixed sends it to the gateway alone)");
        var journal = (await container.ExecAsync("journalctl", "-u", Service, "--no-pager")).Stdout;
        Assert.DoesNotContain("timed out", journal, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_update_goes_through_systemd_a_good_build_takes_over_and_a_broken_one_is_rolled_back_refusing_nothing()
    {
        await using var container = await SystemdContainer.BootAsync();
        var port = TestHttpServer.FreePort();
        var dev = Path.GetDirectoryName(SystemdContainer.ClawSharp)!;
        const string installed = "/opt/claw/bin/clawsharp";
        // The installed copy lives in the container's own (writable) tree; the releases beside it, with SHA256SUMS.
        const string broken = "#!/bin/sh\nif [ \"$1\" = --version ]; then echo clawsharp 0.1.0; exit 0; fi\nexec sleep 1000\n";
        var setUp = await container.ExecAsync("sh", "-c", $$"""
            set -e
            mkdir -p /opt/claw/bin /opt/claw/good/0.1.0/linux-x64 /opt/claw/broken/0.1.0/linux-x64
            cp -a {{dev}}/. /opt/claw/bin/
            cp -a {{dev}}/. /opt/claw/good/0.1.0/linux-x64/
            cd /opt/claw/good/0.1.0 && sha256sum linux-x64/clawsharp > SHA256SUMS
            printf '{{broken}}' > /opt/claw/broken/0.1.0/linux-x64/clawsharp && chmod 755 /opt/claw/broken/0.1.0/linux-x64/clawsharp
            cd /opt/claw/broken/0.1.0 && sha256sum linux-x64/clawsharp > SHA256SUMS
            """);
        Assert.True(setUp.ExitCode == 0, setUp.ToString());
        Assert.Equal(0, (await container.ExecAsync(installed, "gateway", "install", "--system", "--port", port.ToString())).ExitCode);
        var firstPid = await container.ShowAsync(Service, "MainPID");
        using var load = new ConnectLoop(port);
        await Eventually.AssertAsync(() => load.Answered > 0, Deadline, "the connect loop to reach the gateway");

        var good = await container.ExecAsync(installed, "update", "--from", "/opt/claw/good/0.1.0", "--json");

        Assert.True(good.ExitCode == 0, $"{good}\n{(await container.ExecAsync("journalctl", "-u", Service, "--no-pager", "-n", "30")).Stdout}");
        using (var updated = JsonDocument.Parse(good.Stdout))
        {
            Assert.Equal("updated", updated.RootElement.GetProperty("result").GetString());
        }
        var secondPid = await container.ShowAsync(Service, "MainPID");
        Assert.NotEqual(firstPid, secondPid);
        Assert.Equal("active", await container.ShowAsync(Service, "ActiveState"));

        var bad = await container.ExecAsync(installed, "update", "--from", "/opt/claw/broken/0.1.0", "--json");

        Assert.True(bad.ExitCode == 1, bad.ToString());
        using (var rolledBack = JsonDocument.Parse(bad.Stdout))
        {
            Assert.True(rolledBack.RootElement.GetProperty("result").GetString() == "rolled-back", bad.ToString());
        }
        await Eventually.AssertAsync(async () => await container.ShowAsync(Service, "SubState") == "running"
            && (await ClawSharpAsync(container, "gateway", "status")).ExitCode == 0, Deadline, "the gateway back on the previous binary");
        var back = (await container.ExecAsync("sh", "-c", $"sha256sum {installed} /opt/claw/good/0.1.0/linux-x64/clawsharp | cut -d' ' -f1 | uniq | wc -l")).Stdout.Trim();
        Assert.Equal("1", back);
        var status = await container.ExecAsync(installed, "gateway", "status");
        Assert.Contains("rolled back", status.Stdout, StringComparison.Ordinal);
        var answered = load.Answered;
        await Eventually.AssertAsync(() => load.Answered > answered + 10, Deadline, "answers after the rollback");
        load.Stop();
        Assert.True(load.Refused == 0, $"{load.Refused} of {load.Attempts} connections refused ({load.FirstError})");

        // Stopped for maintenance: an update replaces the binary and leaves the service stopped.
        Assert.Equal(0, (await container.ExecAsync(installed, "gateway", "stop")).ExitCode);
        var whileStopped = await container.ExecAsync(installed, "update", "--from", "/opt/claw/good/0.1.0", "--json");
        Assert.True(whileStopped.ExitCode == 0, whileStopped.ToString());
        Assert.Equal("inactive", await container.ShowAsync(Service, "ActiveState"));
    }

    /// <summary>Adds a drop-in to the system unit (as an operator would with <c>systemctl edit</c>), reloads, and restarts it.</summary>
    private static async Task DropInAsync(SystemdContainer container, params string[] settings)
    {
        await container.WriteFileAsync($"/etc/systemd/system/{Service}.d/test.conf", "[Service]\n" + string.Join('\n', settings) + "\n");
        File.SetUnixFileMode(container.HostPath($"/etc/systemd/system/{Service}.d/test.conf"),
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal(0, (await container.ExecAsync("systemctl", "daemon-reload")).ExitCode);
        var restart = await container.ExecAsync("systemctl", "restart", Service);
        Assert.True(restart.ExitCode == 0, restart.ToString());
    }

    /// <summary>Runs this build's clawsharp as root in the container, with a fake API key in its environment (which install must keep out of the units).</summary>
    private static Task<CliResult> ClawSharpAsync(SystemdContainer container, params string[] args) =>
        container.ExecAsync(["env", $"OPENAI_API_KEY={FakeApiKey}", SystemdContainer.ClawSharp, .. args]);
}
