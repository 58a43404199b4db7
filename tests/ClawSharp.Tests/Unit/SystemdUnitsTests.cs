using System.Diagnostics;
using ClawSharp.Control.Services;
using ClawSharp.Control.Services.Systemd;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>The rendered systemd units: the settings issue 15 names, no secret, and systemd's own verifier agrees.</summary>
public sealed class SystemdUnitsTests : IDisposable
{
    private const string FakeApiKey = "sk-test-0123456789abcdef-secret";
    private readonly TempHome home = new();
    private readonly string userHome;

    public SystemdUnitsTests()
    {
        userHome = home.PathOf("user-home");
        Directory.CreateDirectory(userHome);
    }

    public void Dispose() => home.Dispose();

    [Fact]
    public void The_service_unit_has_the_settings_that_keep_systemd_and_the_gateway_from_fighting()
    {
        var unit = SystemdUnits.Service(Definition());
        var settings = Settings(unit);

        Assert.Equal("notify", settings["Type"]);
        Assert.Equal("main", settings["NotifyAccess"]);
        Assert.Equal("always", settings["Restart"]);
        Assert.Equal("1000ms", settings["RestartSec"]);
        Assert.Equal("78", settings["RestartPreventExitStatus"]);
        Assert.Equal("mixed", settings["KillMode"]);
        Assert.Equal("30", settings["WatchdogSec"]);
        Assert.Equal("SIGKILL", settings["WatchdogSignal"]);
        // The crash-storm limit: more than 3 crashes in 5 minutes = the 5th start within 300 s is refused.
        Assert.Equal("4", settings["StartLimitBurst"]);
        Assert.Equal("300", settings["StartLimitIntervalSec"]);
        // StartLimit* belong in [Unit]: systemd ignores them (with a warning) in [Service].
        Assert.True(unit.IndexOf("StartLimitBurst", StringComparison.Ordinal) < unit.IndexOf("[Service]", StringComparison.Ordinal));
        Assert.Contains("Environment=CLAWSHARP_SUPERVISOR=systemd", unit, StringComparison.Ordinal);
        Assert.Contains($"EnvironmentFile={Path.Combine(userHome, ".clawsharp-test", "service.env")}", unit, StringComparison.Ordinal);
        Assert.Contains("Environment=CLAWSHARP_SERVICE_NAME=clawsharp-gateway-test", unit, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stop_timeout_is_never_shorter_than_the_gateways_own_budgets()
    {
        var config = new GatewayConfig { Shutdown = new ShutdownOptions { StopTimeout = TimeSpan.FromSeconds(40) } };
        var settings = Settings(SystemdUnits.Service(Definition(config)));

        var budget = new ShutdownBudget(config.Shutdown).SupervisorKillAfter;
        Assert.True(int.Parse(settings["TimeoutStopSec"]) >= budget.TotalSeconds, $"TimeoutStopSec {settings["TimeoutStopSec"]} < {budget}");
    }

    [Fact]
    public void The_socket_unit_listens_where_the_gateway_would_and_names_its_descriptor()
    {
        var socket = Settings(SystemdUnits.Socket(Definition()));

        Assert.Equal("127.0.0.1:18790", socket["ListenStream"]);
        Assert.Equal("clawsharp", socket["FileDescriptorName"]);
        Assert.Equal("[::1]:4000", SystemdUnits.ListenAddress("::1", 4000));
    }

    [Fact]
    public void No_secret_reaches_a_unit_file_only_the_owner_only_environment_file()
    {
        var definition = Definition();
        var platform = new SystemdPlatform(new Systemctl(ServiceScope.User), home.PathOf("units"), null);

        foreach (var file in platform.Render(definition))
        {
            Assert.DoesNotContain(FakeApiKey, file.Content, StringComparison.Ordinal);
        }
        ServiceEnvironmentFileWriter.Write(definition);
        Assert.Contains($"OPENAI_API_KEY={FakeApiKey}", File.ReadAllText(definition.EnvironmentFile), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(definition.EnvironmentFile));
    }

    [Fact]
    public void Reinstalling_keeps_the_keys_already_in_the_environment_file_and_the_installers_values_win()
    {
        var definition = Definition();
        File.WriteAllText(definition.EnvironmentFile, "# mine\nTELEGRAM_TOKEN=\"abc def\"\nOPENAI_API_KEY=old\n");
        File.SetUnixFileMode(definition.EnvironmentFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        ServiceEnvironmentFileWriter.Write(definition);

        var written = ServiceEnvironmentFile.Read(definition.EnvironmentFile).ToDictionary(pair => pair.Key, pair => pair.Value);
        Assert.Equal("abc def", written["TELEGRAM_TOKEN"]);
        Assert.Contains("TELEGRAM_TOKEN=\"abc def\"", File.ReadAllText(definition.EnvironmentFile), StringComparison.Ordinal);
        Assert.Equal(FakeApiKey, written["OPENAI_API_KEY"]);
        var withoutKey = definition with { Secrets = new Dictionary<string, string>() };
        ServiceEnvironmentFileWriter.Write(withoutKey);
        Assert.Equal(FakeApiKey, ServiceEnvironmentFile.Read(definition.EnvironmentFile).Single(pair => pair.Key == "OPENAI_API_KEY").Value);
    }

    [Fact]
    public void A_state_directory_whose_name_is_no_profile_gets_a_hashed_name_and_one_with_a_line_break_no_unit()
    {
        var odd = new StateDirectory(Path.Combine(userHome, ".clawsharp-a b"));
        Assert.Matches("^clawsharp-gateway-h[0-9a-f]{8}$", ServiceNames.For(ServicePlatform.Systemd, odd, userHome));
        Assert.Equal("clawsharp-gateway-work", ServiceNames.For(ServicePlatform.Systemd, new StateDirectory(Path.Combine(userHome, ".clawsharp-work")), userHome));

        var broken = Definition() with { State = new StateDirectory(Path.Combine(userHome, "x\nExecStartPre=/bin/evil")) };
        var platform = new SystemdPlatform(new Systemctl(ServiceScope.User), home.PathOf("units"), null);
        Assert.Throws<ServiceCommandException>(() => platform.Render(broken));
    }

    [Theory]
    [InlineData("/usr/bin/clawsharp", "/usr/bin/clawsharp")]
    [InlineData("/opt/my apps/clawsharp", "\"/opt/my apps/clawsharp\"")]
    [InlineData("/home/a/100%/x", "/home/a/100%%/x")]
    [InlineData("/home/$USER/x", "/home/$$USER/x")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    public void Command_words_are_quoted_so_systemd_reads_them_back_unchanged(string word, string expected) =>
        Assert.Equal(expected, SystemdSyntax.CommandWord(word));

    [Fact]
    public async Task Systemd_analyze_verify_accepts_both_units()
    {
        var units = Directory.CreateDirectory(home.PathOf("units")).FullName;
        var definition = Definition();
        var platform = new SystemdPlatform(new Systemctl(ServiceScope.User), units, null);
        foreach (var file in platform.Render(definition))
        {
            File.WriteAllText(file.Path, file.Content);
        }
        File.WriteAllText(definition.EnvironmentFile, "");
        var runtime = Directory.CreateDirectory(home.PathOf("runtime")).FullName;

        var info = new ProcessStartInfo("systemd-analyze") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "--user", "verify", Path.Combine(units, "clawsharp-gateway-test.service"), Path.Combine(units, "clawsharp-gateway-test.socket") })
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["XDG_RUNTIME_DIR"] = runtime;
        info.Environment["XDG_CONFIG_HOME"] = home.PathOf("config");
        using var verify = Process.Start(info)!;
        var stderr = await verify.StandardError.ReadToEndAsync();
        await verify.WaitForExitAsync();

        // Complaints about the host itself (no systemd running here) are not about the units.
        var complaints = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.Contains("clawsharp-gateway", StringComparison.Ordinal)).ToList();
        Assert.True(verify.ExitCode == 0 && complaints.Count == 0, $"systemd-analyze verify: exit {verify.ExitCode}\n{stderr}");
    }

    private ServiceDefinition Definition(GatewayConfig? config = null)
    {
        var state = new StateDirectory(Path.Combine(userHome, ".clawsharp-test"));
        Directory.CreateDirectory(state.Root);
        return ServiceDefinitionBuilder.Build(ServicePlatform.Systemd, ServiceScope.User, state, config ?? new GatewayConfig(), new ConfigOverrides(),
            [TestPaths.ClawSharpBinary], userHome, name => name == "OPENAI_API_KEY" ? FakeApiKey : null, user: null);
    }

    /// <summary>The unit's <c>Key=Value</c> lines (the last of a repeated key wins, as <c>Environment</c> is checked by text).</summary>
    private static Dictionary<string, string> Settings(string unit) =>
        unit.Split('\n').Select(line => line.Trim()).Where(line => line.Contains('=', StringComparison.Ordinal) && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2)).GroupBy(pair => pair[0]).ToDictionary(group => group.Key, group => group.Last()[1]);
}
