using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Logging;

namespace ClawSharp.Gateway.Diagnostics;

/// <summary>Writes stability bundles: <c>bundles/&lt;time&gt;-&lt;reason&gt;.json</c>, 0600. Never throws.</summary>
internal sealed class StabilityBundleWriter(StateDirectory state, RecentLogBuffer recent, TimeProvider time)
{
    /// <summary>Writes a bundle and returns its path, or null when even that failed (the error goes to stderr).</summary>
    public string? Write(string reason, string detail, Exception? error = null)
    {
        try
        {
            StateDirectory.EnsurePrivateDirectory(state.BundlesDirectory);
            var now = time.GetUtcNow();
            var bundle = new StabilityBundle(reason, SecretRedaction.Redact(detail)!, now, CollectFacts(now), SecretRedaction.Redact(error?.ToString()),
                [.. recent.Snapshot().Select(line => SecretRedaction.Redact(line)!)]);
            var name = string.Create(CultureInfo.InvariantCulture, $"{now:yyyyMMdd-HHmmss-fff}-{reason}.json");
            var path = Path.Combine(state.BundlesDirectory, name);
            AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(bundle, DiagnosticsJsonContext.Default.StabilityBundle));
            return path;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: could not write a stability bundle ({reason}): {e.Message}");
            return null;
        }
    }

    /// <summary>The command line with every secret value dropped (<see cref="SecretRedaction"/>): bundles get shared in bug reports.</summary>
    internal static string? Redact(string? commandLine) => SecretRedaction.Redact(commandLine);

    private ProcessFacts CollectFacts(DateTimeOffset now)
    {
        using var process = Process.GetCurrentProcess();
        var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
        return new ProcessFacts(
            Environment.ProcessId,
            GatewayVersion.Current,
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription,
            started,
            (long)(now - started).TotalMilliseconds,
            process.WorkingSet64,
            GC.GetTotalMemory(forceFullCollection: false),
            process.Threads.Count,
            Redact(ProcessIdentity.CommandLine(Environment.ProcessId)),
            state.Root);
    }
}
