using ClawSharp.Gateway;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Diagnostics;
using ClawSharp.Gateway.Lifecycle;
using ClawSharp.Gateway.Logging;
using ClawSharp.Gateway.Restart;
using ClawSharp.Gateway.ServiceManagers;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.Fakes;

/// <summary>
/// A real <see cref="GatewayRunLoop"/> over fakes: generations that serve nothing, a respawn
/// and a launchd kickstart that answer at once, a scripted clock and a chosen supervisor. Commands go in as the
/// signal listener and the RPC handler send them; what happens comes out in <see cref="Transcript"/>.
/// </summary>
internal sealed class RunLoopHarness : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TempHome home = new();
    private Task<ExitCode>? run;

    /// <param name="supervisor">Who supervises the loop.</param>
    /// <param name="noRespawn">Sets <c>CLAWSHARP_NO_RESPAWN=1</c>.</param>
    /// <param name="stopDrain">The stop's drain budget; none by default, so that a stop closes at once as the older tests expect.</param>
    /// <param name="notifier">Hears what systemd would; null tells nobody.</param>
    /// <param name="environment">More environment variables the loop reads (<c>WATCHDOG_USEC</c>, <c>CLAWSHARP_STOP_TIMEOUT_SEC</c>).</param>
    public RunLoopHarness(SupervisorKind supervisor = SupervisorKind.None, bool noRespawn = true, TimeSpan? stopDrain = null,
        FakeSystemdNotifier? notifier = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        Config = new GatewayConfig { Shutdown = new ShutdownOptions { DrainTimeout = stopDrain ?? TimeSpan.Zero } };
        Logger = new TranscriptLogger(Transcript);
        Starter = new FakeGenerationStarter(Transcript, Config, Time);
        Respawner = new FakeRespawner(Transcript);
        Kickstarter = new FakeKickstarter(Transcript);
        var variables = new Dictionary<string, string?> { [RestartModeSelector.NoRespawnVariable] = noRespawn ? "1" : null };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }
        var settings = new GatewayRunSettings(home.State, new ConfigOverrides(), false, supervisor, new GatewayFaults(), Time);
        Loop = new GatewayRunLoop(settings, Logger, new StabilityBundleWriter(home.State, new RecentLogBuffer(), Time), Exits.Add,
            name => variables.GetValueOrDefault(name), () => supervisor, (_, _) => (Starter, Respawner),
            notifier is null ? null : new SystemdNotifications(notifier), Kickstarter);
    }

    public Transcript Transcript { get; } = new();
    public TranscriptLogger Logger { get; }
    public FakeTimeProvider Time { get; } = new();
    public FakeGenerationStarter Starter { get; }
    public FakeRespawner Respawner { get; }
    public FakeKickstarter Kickstarter { get; }
    public GatewayConfig Config { get; }
    public List<ExitCode> Exits { get; } = [];
    public GatewayRunLoop Loop { get; }
    public StateDirectory State => home.State;
    public Task<ExitCode> Run => run ?? throw new InvalidOperationException("not started");

    public void Start() => run = Loop.RunAsync(Config, CancellationToken.None);

    public void Signal(string name) => Loop.Commands.TryWrite(name == "SIGUSR1"
        ? RunLoopCommand.RestartRequested.Signal(name)
        : new RunLoopCommand.StopRequested(name));

    /// <summary>What <c>gateway.restart.request</c> does: submit, wait for the loop's decision, send the answer.</summary>
    public async Task<RestartDecision?> RequestAsync(string reason = "test", bool force = false, long? waitMs = null) =>
        (await SubmitAsync(new RestartAsk("rpc", reason, false, false, force ? true : null, waitMs))).Decision;

    /// <summary>As <see cref="RequestAsync"/>, with the refusal when there is no decision.</summary>
    public Task<(RestartDecision? Decision, string Refusal)> SubmitAsync(string reason = "test") =>
        SubmitAsync(new RestartAsk("rpc", reason, false, false, null, null));

    public async Task<(RestartDecision? Decision, string Refusal)> SubmitAsync(RestartAsk ask)
    {
        var submission = new RestartSubmission(ask);
        Loop.Commands.TryWrite(RunLoopCommand.RestartRequested.Rpc(submission));
        var decision = await submission.Decision.WaitAsync(Deadline);
        submission.MarkAnswerSent();
        return (decision, submission.Refusal);
    }

    public Task WaitForAsync(string entry) =>
        Eventually.AssertAsync(() => Transcript.Contains(entry), Deadline, $"transcript entry '{entry}' in [{string.Join(", ", Transcript.Entries)}]");

    public Task WaitForLogAsync(string text) =>
        Eventually.AssertAsync(() => Logger.Lines.Any(l => l.Contains(text, StringComparison.Ordinal)), Deadline, $"log line '{text}'");

    public Task WaitForStateAsync(GatewayRunState state) =>
        Eventually.AssertAsync(() => Loop.State == state, Deadline, $"state {state} (now {Loop.State})");

    public async ValueTask DisposeAsync()
    {
        if (run is { IsCompleted: false })
        {
            Signal("SIGTERM");
            await run.WaitAsync(Deadline);
        }
        await Loop.DisposeAsync();
        home.Dispose();
    }
}
