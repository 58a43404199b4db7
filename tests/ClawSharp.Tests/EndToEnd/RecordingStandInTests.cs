using System.Diagnostics;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>The stand-ins the service-manager tests put on PATH, under the races those tests create.</summary>
public sealed class RecordingStandInTests
{
    /// <summary>
    /// A test may change an answer while the code under test polls the stand-in (the Windows
    /// uninstall's wait for STOPPED): each call must see the old answer or the new one. Before the
    /// answers were replaced by rename, a call could read a truncated <c>.exit</c> and fail with 2.
    /// </summary>
    [Fact]
    public async Task AnAnswerChangedWhileTheStandInRuns_IsReadWholeOldOrNew()
    {
        using var standIns = new RecordingStandIn().Add("sc.exe");
        standIns.On("sc.exe", "queryex", 0, stdout: "STATE : 3 STOP_PENDING");
        using var stop = new CancellationTokenSource();
        var rewrites = Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                standIns.On("sc.exe", "queryex", 0, stdout: n++ % 2 == 0 ? "STATE : 1 STOPPED" : "STATE : 3 STOP_PENDING");
            }
        });
        try
        {
            for (var call = 0; call < 300; call++)
            {
                using var process = Process.Start(new ProcessStartInfo(standIns.PathOf("sc.exe"), ["queryex", "ClawSharpGateway"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                var stdout = await process.StandardOutput.ReadToEndAsync();
                var stderr = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

                Assert.True(process.ExitCode == 0, $"call {call}: exit {process.ExitCode}: {stderr}");
                Assert.Contains(stdout, new[] { "STATE : 1 STOPPED", "STATE : 3 STOP_PENDING" });
            }
        }
        finally
        {
            await stop.CancelAsync();
            await rewrites;
        }
    }
}
