using System.Globalization;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Daemon;

/// <summary>The supervisor's log lines: one timestamped line each on stderr, which <see cref="ProcessDetach"/> points at <c>logs/supervisor.log</c>.</summary>
internal sealed class SupervisorLog(TimeProvider time)
{
    public void Info(string message) => Write("INF", message);

    public void Warning(string message) => Write("WRN", message);

    public void Error(string message) => Write("ERR", message);

    private void Write(string level, string message)
    {
        var at = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var line = $"{at} {level} supervisor[{Environment.ProcessId}] {message}\n";
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Console.Error.Write(line);
            }
            else
            {
                // To descriptor 2 itself, whatever file it names now (see ProcessDetach.RotateIfLarge).
                Posix.WriteAll(2, System.Text.Encoding.UTF8.GetBytes(line));
            }
        }
        catch (IOException)
        {
            // A full disk loses the line, not the supervisor.
        }
    }
}
