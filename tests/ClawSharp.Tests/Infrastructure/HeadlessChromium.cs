using System.Diagnostics;
using Microsoft.Playwright;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven through Microsoft.Playwright: the executable is
/// <c>/usr/bin/chromium</c> (installed with apt-get by <c>scripts/chromium.sh</c> when missing),
/// never a browser Playwright downloads. Every Chromium process carries a marker argument, so
/// disposing can check none outlived the browser's close and end (by PID) any that did.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly SemaphoreSlim Install = new(1, 1);
    private static string? executable;
    private readonly IPlaywright playwright;
    private readonly string marker;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser, string marker)
    {
        this.playwright = playwright;
        Browser = browser;
        this.marker = marker;
    }

    public IBrowser Browser { get; }

    /// <summary>Where a test's screenshots go: <c>artifacts/test-screenshots/NAME/</c>, emptied first.</summary>
    public static string ScreenshotDirectory(string name)
    {
        var directory = Path.Combine(TestPaths.RepoRoot, "artifacts", "test-screenshots", name);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        Directory.CreateDirectory(directory);
        return directory;
    }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var path = await EnsureInstalledAsync();
        var marker = $"--clawsharp-test-browser={Guid.NewGuid():N}";
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                // Root in a container: Chromium's sandbox needs user namespaces it does not get here.
                ChromiumSandbox = false,
                Args = [marker, "--disable-dev-shm-usage"],
            });
            return new HeadlessChromium(playwright, browser, marker);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Browser.CloseAsync();
        }
        finally
        {
            playwright.Dispose();
            foreach (var pid in ProcessesWithMarker())
            {
                try
                {
                    using var stray = Process.GetProcessById(pid);
                    stray.Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                }
            }
        }
    }

    /// <summary>Chromium processes of this browser still alive (the marker is on every one's command line).</summary>
    public List<int> ProcessesWithMarker()
    {
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains(marker, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return pids;
    }

    private static async Task<string> EnsureInstalledAsync()
    {
        await Install.WaitAsync();
        try
        {
            if (executable is null)
            {
                var script = Path.Combine(TestPaths.RepoRoot, "scripts", "chromium.sh");
                var info = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                var installed = await CliRun.RunToEndAsync(info, script, TimeSpan.FromMinutes(10));
                Assert.True(installed.ExitCode == 0, $"scripts/chromium.sh failed; the dashboard's browser tests need Debian's chromium (apt-get install -y chromium, as root):\n{installed}");
                executable = installed.Stdout.Trim();
            }
            return executable;
        }
        finally
        {
            Install.Release();
        }
    }
}
