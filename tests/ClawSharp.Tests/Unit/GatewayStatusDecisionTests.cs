using System.Globalization;
using ClawSharp.Control.Status;
using ClawSharp.Daemon;
using ClawSharp.Gateway;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Protocol;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// <see cref="GatewayStatusDecision"/> over snapshot fixtures: state directories (daemon.json,
/// gateway.lock, restarting.json) written as files, read by <see cref="DaemonSnapshot.Take"/> as
/// <c>gateway status</c> reads them, then decided. "Alive" PIDs are this test process; a dead PID is
/// one above the kernel's PID limit; a reused PID is this process with another start time.
/// </summary>
public sealed class GatewayStatusDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private const int Dead = 99_999_999;

    private static readonly Dictionary<string, Fixture> Fixtures = new()
    {
        ["running"] = new(
            Daemon: """{ "state": "running", "supervisorPid": $SELF, "supervisorStartTime": $START, "gatewayPid": $SELF, "gatewayStartTime": $START, "startedAt": "2026-11-26T11:00:00Z" }""",
            Lock: """{ "pid": $SELF, "startTime": $START, "port": 0, "bind": "127.0.0.1", "version": "0.1.0", "acquiredAt": "2026-11-26T11:00:00Z" }""",
            Answer: true),
        ["starting"] = new(
            Daemon: """{ "state": "starting", "supervisorPid": $SELF, "supervisorStartTime": $START, "gatewayPid": $SELF, "gatewayStartTime": $START, "startedAt": "2026-11-26T11:00:00Z" }""",
            Lock: """{ "pid": $SELF, "startTime": $START, "port": 4321, "bind": "127.0.0.1", "version": "0.1.0", "acquiredAt": "2026-11-26T11:00:00Z" }"""),
        ["starting-no-lock"] = new(
            Daemon: """{ "state": "starting", "supervisorPid": $SELF, "supervisorStartTime": $START, "startedAt": "2026-11-26T11:00:00Z" }"""),
        ["backoff"] = new(
            Daemon: """{ "state": "backoff", "supervisorPid": $SELF, "supervisorStartTime": $START, "startedAt": "2026-11-26T11:00:00Z", "nextStartAt": "2026-11-26T12:00:05Z", "lastExit": { "code": 1, "description": "exit 1 (failure)", "at": "2026-11-26T11:59:59Z" } }"""),
        ["failed"] = new(
            Daemon: $$"""{ "state": "failed", "supervisorPid": {{Dead}}, "supervisorStartTime": 1, "startedAt": "2026-11-26T11:00:00Z", "failureReason": "more than 3 crashes in 5 minutes" }"""),
        ["stopped"] = new(
            Daemon: $$"""{ "state": "stopped", "supervisorPid": {{Dead}}, "supervisorStartTime": 1, "startedAt": "2026-11-26T11:00:00Z", "lastExit": { "code": 0, "description": "exit 0 (stopped)", "at": "2026-11-26T11:30:00Z" } }"""),
        ["empty"] = new(),
        ["stale-pid"] = new(
            Daemon: $$"""{ "state": "running", "supervisorPid": {{Dead}}, "supervisorStartTime": 1, "startedAt": "2026-11-26T11:00:00Z" }""",
            Lock: $$"""{ "pid": {{Dead}}, "startTime": 1, "port": 4321, "bind": "127.0.0.1", "version": "0.1.0", "acquiredAt": "2026-11-26T11:00:00Z" }"""),
        ["reused-pid"] = new(
            Lock: """{ "pid": $SELF, "startTime": $OTHER, "port": 4321, "bind": "127.0.0.1", "version": "0.1.0", "acquiredAt": "2026-11-26T11:00:00Z" }"""),
        ["corrupt-daemon-json"] = new(Daemon: "{ not json"),
        ["corrupt-daemon-json-supervisor-alive"] = new(Daemon: "{ not json", HoldSupervisorLock: true),
        ["restarting"] = new(
            Restarting: """{ "pid": $SELF, "startTime": $START, "at": "2026-11-26T11:59:59Z" }"""),
        ["restart-failed"] = new(
            Restarting: """{ "pid": $SELF, "startTime": $START, "at": "2026-11-26T11:59:59Z", "problem": "port 4321 is taken" }"""),
        ["unreachable"] = new(
            Lock: """{ "pid": $SELF, "startTime": $START, "port": 4321, "bind": "127.0.0.1", "version": "0.1.0", "acquiredAt": "2026-11-26T11:00:00Z" }"""),
    };

    [Theory]
    [InlineData("running", "running", ExitCode.Success, @"^Running: pid \$SELF, port 4321, version 0\.1\.0, started .+ \(up 00:01:05\), state running$")]
    [InlineData("starting", "starting", ExitCode.NotRunning, @"^Starting: pid \$SELF does not answer yet on port 4321$")]
    [InlineData("starting-no-lock", "starting", ExitCode.NotRunning, @"^Starting: the supervisor is starting the gateway$")]
    [InlineData("backoff", "backoff", ExitCode.NotRunning, @"^Backoff: the gateway crashed \(exit 1 \(failure\)\); the supervisor starts it again in 5 s$")]
    [InlineData("failed", "failed", ExitCode.Failure, @"^Failed: more than 3 crashes in 5 minutes$")]
    [InlineData("stopped", "stopped", ExitCode.NotRunning, @"^Stopped \(stopped at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$")]
    [InlineData("empty", "stopped", ExitCode.NotRunning, @"^Stopped \(no gateway holds the lock\)$")]
    [InlineData("stale-pid", "stopped", ExitCode.NotRunning, @"^Stopped \(daemon\.json says running but its supervisor pid 99999999 is no longer running\)$")]
    [InlineData("reused-pid", "stopped", ExitCode.NotRunning, @"^Stopped \(the lock names pid \$SELF, which now belongs to another program\)$")]
    [InlineData("corrupt-daemon-json", "stopped", ExitCode.NotRunning, @"^Stopped \(daemon\.json is corrupt \(.+\); no supervisor holds supervisor\.lock, so none is running\)$")]
    [InlineData("corrupt-daemon-json-supervisor-alive", "starting", ExitCode.NotRunning, @"^Unknown: a supervisor holds supervisor\.lock but daemon\.json is unreadable$")]
    [InlineData("restarting", "starting", ExitCode.NotRunning, @"^Restarting: pid \$SELF closed its server and is starting again")]
    [InlineData("restart-failed", "failed", ExitCode.Failure, @"^Failed: pid \$SELF is alive but its restart did not start a server \(port 4321 is taken\)")]
    [InlineData("unreachable", "unreachable", ExitCode.Failure, @"^Unreachable: pid \$SELF is alive but does not answer on port 4321")]
    public void Fixture_IsDecided(string fixture, string kind, ExitCode exitCode, string headline)
    {
        using var home = new TempHome();
        var snapshot = Fixtures[fixture].Take(home);

        var verdict = GatewayStatusDecision.Decide(snapshot, Fixtures[fixture].Answer ? Answer() : null, Now);

        Assert.Equal((kind, exitCode), (verdict.Name, verdict.ExitCode));
        Assert.Matches(headline.Replace(@"\$SELF", Self, StringComparison.Ordinal), verdict.Headline);
    }

    [Fact]
    public void Running_ReportsThePortTheGatewayServes_WhenTheLockStillSaysZero()
    {
        using var home = new TempHome();
        var verdict = GatewayStatusDecision.Decide(Fixtures["running"].Take(home), Answer(), Now);

        Assert.Equal(4321, verdict.Port);
        Assert.Equal("running", verdict.Name);
    }

    [Fact]
    public void ARefusedStart_IsFailed_NamingTheKey_UntilASupervisorWritesNewerNews()
    {
        using var home = new TempHome();
        StartFailureStore.Write(home.State, new StartFailure(Now.AddMinutes(-1), "config invalid at daemon.crashLimit (/h/config.json)",
            "daemon.crashLimit must be …", "daemon.crashLimit", "/h/config.json", 78));

        var refused = GatewayStatusDecision.Decide(Fixtures["empty"].Take(home), null, Now);
        var later = GatewayStatusDecision.Decide(new Fixture(
            Daemon: $$"""{ "state": "stopped", "supervisorPid": {{Dead}}, "supervisorStartTime": 1, "startedAt": "2026-11-26T11:59:30Z", "updatedAt": "2026-11-26T11:59:40Z" }""").Take(home), null, Now);

        Assert.Equal((GatewayStatusKind.Failed, ExitCode.Failure), (refused.Kind, refused.ExitCode));
        Assert.StartsWith("Failed: config invalid at daemon.crashLimit (/h/config.json); 'clawsharp gateway start' refused at", refused.Headline);
        Assert.Equal(GatewayStatusKind.Stopped, later.Kind);
    }

    [Fact]
    public void TheSameSnapshotAndTime_GiveTheSameVerdict()
    {
        using var home = new TempHome();
        var snapshot = Fixtures["backoff"].Take(home);

        Assert.Equal(GatewayStatusDecision.Decide(snapshot, null, Now), GatewayStatusDecision.Decide(snapshot, null, Now));
        Assert.EndsWith("starts it again now", GatewayStatusDecision.Decide(snapshot, null, Now.AddSeconds(6)).Headline, StringComparison.Ordinal);
    }

    private static string Self => Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    private static StatusPayload Answer() => new(
        RuntimeVersion: "0.1.0", Version: "0.1.0", Pid: Environment.ProcessId, State: "running", UptimeMs: 65_000,
        StartedAt: Now.AddSeconds(-65), ProcessUptimeMs: 65_000, ProcessStartedAt: Now.AddSeconds(-65), Restarts: 0, Port: 4321,
        Bind: "127.0.0.1", StateDir: "/tmp/x", BootId: "boot-1", AuthMode: "token", Connections: 1, Work: new WorkCountsPayload(0, 0, 0, 0));

    /// <param name="Daemon">daemon.json, or null for none.</param>
    /// <param name="Lock">gateway.lock, or null for none.</param>
    /// <param name="Restarting">restarting.json, or null for none.</param>
    /// <param name="Answer">Whether the gateway answered <c>status</c>.</param>
    /// <param name="HoldSupervisorLock">Hold supervisor.lock while reading, as a live supervisor does.</param>
    private sealed record Fixture(string? Daemon = null, string? Lock = null, string? Restarting = null, bool Answer = false, bool HoldSupervisorLock = false)
    {
        public DaemonSnapshot Take(TempHome home)
        {
            Write(home.State.DaemonStateFile, Daemon);
            Write(home.State.LockFile, Lock);
            Write(home.State.RestartingFile, Restarting);
            // The process a fixture names as the gateway or the supervisor ($SELF) holds the lock it is named in, as a real one does.
            using var supervisor = HoldSupervisorLock || Daemon?.Contains("$SELF", StringComparison.Ordinal) == true
                ? SupervisorLock.TryAcquire(home.State.SupervisorLockFile) : null;
            using var gateway = Lock is null ? null : HoldLock(home.State.LockFile);
            return DaemonSnapshot.Take(home.State);
        }

        private static FileStream HoldLock(string path)
        {
            var stream = AtomicFile.OpenLockFile(path);
            Assert.True(Posix.TryLockExclusive(stream.SafeFileHandle), $"could not lock {path}");
            return stream;
        }

        private static void Write(string path, string? template)
        {
            if (template is null)
            {
                return;
            }
            var me = ProcessIdentity.Current;
            File.WriteAllText(path, template
                .Replace("$SELF", me.Pid.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("$START", me.StartTime.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("$OTHER", (me.StartTime + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
    }
}
