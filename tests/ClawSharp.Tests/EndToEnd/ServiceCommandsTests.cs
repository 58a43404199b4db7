using System.Text.Json;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// <c>gateway install|uninstall</c> as processes, through the launchd path (chosen with
/// <c>CLAWSHARP_SERVICE_PLATFORM=launchd</c>, since launchd cannot run here) against a recording
/// <c>launchctl</c> on PATH. The systemd path runs against a real systemd in <c>Systemd/</c>.
/// </summary>
public sealed class ServiceCommandsTests : IDisposable
{
    private readonly TempHome home = new();
    private readonly RecordingStandIn tools = new RecordingStandIn().Add("launchctl");

    public void Dispose()
    {
        tools.Dispose();
        home.Dispose();
    }

    [Fact]
    public async Task A_failed_bootstrap_is_an_install_error_that_says_so_and_nothing_runs_unsupervised()
    {
        tools.On("launchctl", "bootstrap", 5, stderr: "Bootstrap failed: 5: Input/output error");

        var install = await CliRun.RunAsync(["gateway", "install", "--port", "0", "--json", "--home", home.Root], Environment());

        Assert.True(install.ExitCode == 1, install.ToString());
        using var answer = JsonDocument.Parse(install.Stdout);
        Assert.False(answer.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("failed", answer.RootElement.GetProperty("result").GetString());
        Assert.Contains("Bootstrap failed: 5: Input/output error", answer.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(tools.Lines, line => line.Contains("kickstart", StringComparison.Ordinal));
        Assert.False(File.Exists(home.State.LockFile), "a gateway was started outside launchd");

        // A first install that failed is rolled back: nothing is left for an uninstall to need the manager for.
        Assert.Contains("nothing is left installed", answer.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        var plist = Path.Combine(home.Root, "user-home", "Library", "LaunchAgents");
        Assert.Empty(Directory.Exists(plist) ? Directory.GetFiles(plist, "*.plist") : []);
        Assert.False(File.Exists(home.PathOf("service.env")));
        Assert.False(File.Exists(home.PathOf("service.json")));
        Assert.Contains(tools.Lines, line => line.StartsWith("launchctl bootout ", StringComparison.Ordinal));
        var uninstall = await CliRun.RunAsync(["gateway", "uninstall", "--json", "--home", home.Root], Environment());
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.Equal("not-installed", JsonDocument.Parse(uninstall.Stdout).RootElement.GetProperty("result").GetString());
    }

    [Fact]
    public async Task An_install_where_the_user_systemd_is_unreachable_leaves_nothing_and_start_still_works()
    {
        // A shell with no user bus (su, a container, ssh without lingering): every systemctl --user fails.
        using var systemctl = new RecordingStandIn().Add("systemctl");
        systemctl.On("systemctl", "--user", 1, stderr: "Failed to connect to bus: No medium found");
        var environment = new Dictionary<string, string>
        {
            ["CLAWSHARP_SERVICE_PLATFORM"] = "systemd",
            ["PATH"] = systemctl.SearchPath,
            ["HOME"] = Directory.CreateDirectory(home.PathOf("user-home")).FullName,
            ["XDG_CONFIG_HOME"] = Directory.CreateDirectory(home.PathOf("xdg")).FullName,
        };

        var install = await CliRun.RunAsync(["gateway", "install", "--port", "0", "--json", "--home", home.Root], environment);

        Assert.True(install.ExitCode == 1, install.ToString());
        Assert.Contains("nothing is left installed", JsonDocument.Parse(install.Stdout).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(home.PathOf("xdg"), "*", SearchOption.AllDirectories));
        Assert.False(File.Exists(home.PathOf("service.json")));
        Assert.False(File.Exists(home.PathOf("service.env")));
        // Nothing claims a service any more: the built-in supervisor starts the gateway.
        var start = await CliRun.RunAsync(["gateway", "start", "--port", "0", "--home", home.Root], environment);
        try
        {
            Assert.True(start.ExitCode == 0, start.ToString());
        }
        finally
        {
            await CliRun.RunAsync(["gateway", "stop", "--home", home.Root], environment);
        }
    }

    [Fact]
    public async Task A_rolled_back_install_keeps_the_service_env_that_was_there_before()
    {
        // The operator's own secrets file: an install keeps what is in it, and its rollback must not take it.
        home.State.EnsureCreated();
        File.WriteAllText(home.PathOf("service.env"), "OPENAI_API_KEY=sk-operator-own\n");
        File.SetUnixFileMode(home.PathOf("service.env"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        tools.On("launchctl", "bootstrap", 5, stderr: "Bootstrap failed: 5: Input/output error");

        var install = await CliRun.RunAsync(["gateway", "install", "--port", "0", "--json", "--home", home.Root], Environment());

        Assert.True(install.ExitCode == 1, install.ToString());
        Assert.Contains("OPENAI_API_KEY=sk-operator-own", File.ReadAllText(home.PathOf("service.env")));
        Assert.False(File.Exists(home.PathOf("service.json")));
    }

    [Fact]
    public async Task Uninstall_with_nothing_installed_says_so_and_succeeds()
    {
        var uninstall = await CliRun.RunAsync(["gateway", "uninstall", "--json", "--home", home.Root], Environment());

        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        using var answer = JsonDocument.Parse(uninstall.Stdout);
        Assert.Equal("not-installed", answer.RootElement.GetProperty("result").GetString());
        Assert.Empty(tools.Calls);
    }

    [Fact]
    public async Task Logs_of_the_service_with_nothing_installed_say_where_the_gateways_own_log_is()
    {
        var logs = await CliRun.RunAsync(["gateway", "logs", "--service", "--home", home.Root], Environment());

        Assert.Equal(1, logs.ExitCode);
        Assert.Contains("no service is installed", logs.Stderr, StringComparison.Ordinal);
        Assert.Contains("'clawsharp gateway logs' shows the gateway's own log", logs.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_service_record_is_reported_with_the_fix()
    {
        File.WriteAllText(home.PathOf("service.json"), "{ not json");

        var uninstall = await CliRun.RunAsync(["gateway", "uninstall", "--json", "--home", home.Root], Environment());

        Assert.Equal(1, uninstall.ExitCode);
        Assert.Contains("gateway install --force", uninstall.Stdout, StringComparison.Ordinal);

        // A service may be installed: start refuses rather than run the built-in supervisor beside it; status names the problem.
        var start = await CliRun.RunAsync(["gateway", "start", "--port", "0", "--json", "--home", home.Root], Environment());
        Assert.Equal(1, start.ExitCode);
        Assert.Contains("service.json is unreadable", start.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(home.State.DaemonStateFile), "a supervisor was started beside a possibly installed service");
        var status = await CliRun.RunAsync(["gateway", "status", "--json", "--home", home.Root], Environment());
        Assert.Contains("service.json is unreadable", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_and_system_together_are_a_usage_error()
    {
        var install = await CliRun.RunAsync(["gateway", "install", "--user", "--system", "--home", home.Root], Environment());

        Assert.NotEqual(0, install.ExitCode);
        Assert.Contains("--user and --system cannot be combined", install.Stderr, StringComparison.Ordinal);
        Assert.Empty(tools.Calls);
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["CLAWSHARP_SERVICE_PLATFORM"] = "launchd",
        ["PATH"] = tools.SearchPath,
        // launchd's LaunchAgents live under the user's home.
        ["HOME"] = Directory.CreateDirectory(home.PathOf("user-home")).FullName,
    };
}
