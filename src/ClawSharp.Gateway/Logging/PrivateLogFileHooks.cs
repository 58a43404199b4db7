using System.Text;
using ClawSharp.Gateway.Infrastructure;
using Serilog.Sinks.File;

namespace ClawSharp.Gateway.Logging;

/// <summary>Makes every log file the sink opens (the current one and each rolled one) 0600: logs may hold secrets.</summary>
internal sealed class PrivateLogFileHooks : FileLifecycleHooks
{
    public override Stream OnFileOpened(string path, Stream underlyingStream, Encoding encoding)
    {
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                if (File.GetUnixFileMode(path) != AtomicFile.PrivateFileMode)
                {
                    File.SetUnixFileMode(path, AtomicFile.PrivateFileMode);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not a regular file we own (a device, another user's file): leave its mode alone.
            }
        }
        return base.OnFileOpened(path, underlyingStream, encoding);
    }
}
