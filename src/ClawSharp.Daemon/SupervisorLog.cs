using System.Globalization;

namespace ClawSharp.Daemon;

/// <summary>The supervisor's log lines: one timestamped line each on stderr, which <see cref="ProcessDetach"/> points at <c>logs/supervisor.log</c>.</summary>
public sealed class SupervisorLog(TimeProvider time)
{
    public void Info(string message) => Write("INF", message);

    public void Warning(string message) => Write("WRN", message);

    public void Error(string message) => Write("ERR", message);

    private void Write(string level, string message)
    {
        var at = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        try
        {
            Console.Error.WriteLine($"{at} {level} supervisor[{Environment.ProcessId}] {message}");
        }
        catch (IOException)
        {
            // A full disk loses the line, not the supervisor.
        }
    }
}
