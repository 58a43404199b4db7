using System.Globalization;

namespace ClawSharp.Bench;

/// <summary>
/// CPU time of a process from <c>/proc/PID/stat</c> (user + system), so a run can say how much of the
/// 2 cores the load generator took and how much the gateway did: a generator near 100% of a core
/// means the figure is the client's, not the gateway's.
/// </summary>
internal readonly record struct CpuClock(TimeSpan Cpu, long Ticks)
{
    private const double ClockTicksPerSecond = 100; // USER_HZ: 100 on every Linux the gateway targets

    public static CpuClock Read(int pid)
    {
        var stamp = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return new CpuClock(TimeSpan.FromSeconds(ticks / ClockTicksPerSecond), stamp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return new CpuClock(TimeSpan.Zero, stamp);
        }
    }

    public static CpuClock Self() => Read(Environment.ProcessId);

    /// <summary>CPU used since <paramref name="start"/> as a percentage of one core's wall time.</summary>
    public double PercentOfCoreSince(CpuClock start)
    {
        var wall = System.Diagnostics.Stopwatch.GetElapsedTime(start.Ticks, Ticks);
        return wall <= TimeSpan.Zero ? 0 : 100 * (Cpu - start.Cpu) / wall;
    }
}
