using System.Globalization;

namespace ClawSharp.Control.Services.Systemd;

/// <summary>
/// systemd's view of the gateway's unit, from <c>systemctl show</c>: what <c>status</c> prints
/// and what <c>start</c> decides on (a start-limit lockout needs <c>reset-failed</c>).
/// </summary>
/// <param name="LoadState">loaded / not-found.</param>
/// <param name="ActiveState">active / reloading / inactive / failed / activating / deactivating.</param>
/// <param name="SubState">running / dead / failed / auto-restart / …</param>
/// <param name="Result">success / exit-code / signal / watchdog / start-limit-hit / timeout / …</param>
/// <param name="MainPid">The gateway's PID (0 when none).</param>
/// <param name="Restarts">NRestarts: the automatic restarts since the unit was last started by hand.</param>
/// <param name="LastExitStatus">ExecMainStatus: the last exit code or signal number.</param>
/// <param name="LastExitCode">ExecMainCode: 1 exited, 2 killed (signal), 3 dumped.</param>
/// <param name="ExecStartProgram">The program <c>ExecStart=</c> runs.</param>
internal sealed record SystemdUnitView(string LoadState, string ActiveState, string SubState, string Result, int MainPid, int Restarts,
    int LastExitStatus, int LastExitCode, string? ExecStartProgram)
{
    public static readonly string[] Properties =
        ["LoadState", "ActiveState", "SubState", "Result", "MainPID", "NRestarts", "ExecMainStatus", "ExecMainCode", "ExecStart"];

    public bool Loaded => LoadState == "loaded";

    /// <summary>systemd stopped restarting it: the start limit, or a failure it will not retry.</summary>
    public bool GaveUp => ActiveState == "failed";

    /// <summary><c>exit 1</c>, <c>signal 9</c>, or null when it never exited.</summary>
    public string? LastExit => (LastExitCode, LastExitStatus) switch
    {
        (1, var status) => $"exit {status.ToString(CultureInfo.InvariantCulture)}",
        (2 or 3, var signal) => $"signal {signal.ToString(CultureInfo.InvariantCulture)}",
        _ => null,
    };

    /// <summary>One line for <c>status</c>: <c>systemd: active (running), pid 12, 0 restarts</c>, or why it gave up.</summary>
    public string Describe() => GaveUp
        ? $"systemd gave up after {Restarts} restarts, last {LastExit ?? "exit unknown"} (result {Result}); fix the cause, then 'clawsharp gateway start'"
        : $"systemd: {ActiveState} ({SubState}){(MainPid > 0 ? $", pid {MainPid}" : "")}, {Restarts} restarts";

    public static SystemdUnitView From(IReadOnlyDictionary<string, string> show) => new(
        show.GetValueOrDefault("LoadState", "unknown"),
        show.GetValueOrDefault("ActiveState", "unknown"),
        show.GetValueOrDefault("SubState", "unknown"),
        show.GetValueOrDefault("Result", "unknown"),
        Int(show, "MainPID"),
        Int(show, "NRestarts"),
        Int(show, "ExecMainStatus"),
        Int(show, "ExecMainCode"),
        ExecStartPath(show.GetValueOrDefault("ExecStart")));

    /// <summary>Parses <c>KEY=VALUE</c> lines (values may contain <c>=</c>).</summary>
    public static Dictionary<string, string> ParseShow(string output)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[line[..equals]] = line[(equals + 1)..];
            }
        }
        return values;
    }

    private static int Int(IReadOnlyDictionary<string, string> show, string key) =>
        int.TryParse(show.GetValueOrDefault(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary><c>{ path=/usr/bin/clawsharp ; argv[]=… }</c> → <c>/usr/bin/clawsharp</c>.</summary>
    private static string? ExecStartPath(string? execStart)
    {
        if (execStart is null)
        {
            return null;
        }
        const string marker = "path=";
        var start = execStart.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        start += marker.Length;
        var end = execStart.IndexOf(' ', start);
        return end < 0 ? execStart[start..] : execStart[start..end];
    }
}
