using System.Diagnostics;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// A real systemd (252, Debian bookworm) booted with <c>systemd-nspawn</c> for one test: no
/// systemd runs as PID 1 on these machines (TOOLCHAIN.md). The tree comes from
/// <c>scripts/systemd-tree.sh</c> (built once and cached; it installs what it needs with apt-get).
/// The container shares the host's network, so a port its socket unit opens is reachable from the
/// test; the .NET runtime and this build's clawsharp are bound in read-only at their host paths,
/// so a unit's <c>ExecStart</c> names the same binary inside and out. <c>--volatile=overlay</c>
/// keeps the cached tree clean. Disposing stops the container (every process in it goes too).
/// </summary>
internal sealed class SystemdContainer : IAsyncDisposable
{
    /// <summary>The container's path for commands run in it (the host's may name tools it lacks).</summary>
    private const string ContainerPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static readonly SemaphoreSlim TreeBuild = new(1, 1);
    private static string? tree;
    private readonly Process nspawn;
    private readonly OutputLog console;

    private SystemdContainer(Process nspawn, OutputLog console, int initPid)
    {
        this.nspawn = nspawn;
        this.console = console;
        InitPid = initPid;
    }

    /// <summary>The container's systemd, as the host sees it.</summary>
    public int InitPid { get; }

    /// <summary>The user of the user-unit tests (uid 1000, lingering on).</summary>
    public const string User = "claw";

    public const int UserId = 1000;

    /// <summary>This build's clawsharp, at the same path inside the container.</summary>
    public static string ClawSharp => TestPaths.ClawSharpBinary;

    public static async Task<SystemdContainer> BootAsync()
    {
        var root = await TreeAsync();
        var name = "clawtest-" + Guid.NewGuid().ToString("N")[..10];
        var info = new ProcessStartInfo("systemd-nspawn")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-b", "-D", root, "--register=no", "--keep-unit", "--console=read-only", "--volatile=overlay", $"--machine={name}",
            $"--bind-ro={DotnetRoot}", $"--bind-ro={Path.GetDirectoryName(ClawSharp)}",
        })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("systemd-nspawn did not start");
        var console = new OutputLog();
        process.OutputDataReceived += (_, e) => console.Add(e.Data);
        process.ErrorDataReceived += (_, e) => console.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var init = 0;
            await Eventually.AssertAsync(() =>
            {
                init = InitOf(process.Id);
                return init > 0 || process.HasExited;
            }, TimeSpan.FromSeconds(20), "the container's systemd to start");
            if (process.HasExited)
            {
                Assert.Fail($"systemd-nspawn exited {process.ExitCode}:\n{console.Text}");
            }
            var container = new SystemdContainer(process, console, init);
            CliResult? running = null;
            // Until systemd has its bus up, systemctl cannot even ask ("Failed to connect to bus").
            var up = await Eventually.UntilAsync(async () =>
            {
                running = await container.ExecAsync(TimeSpan.FromSeconds(30), "systemctl", "is-system-running", "--wait");
                return running.Stdout.Trim() is "running" or "degraded";
            }, TimeSpan.FromSeconds(30));
            Assert.True(up, $"the container's systemd did not come up: {running}\n{console.Text}");
            return container;
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command in the container as root, with a clean environment.</summary>
    public Task<CliResult> ExecAsync(params string[] command) => ExecAsync(TimeSpan.FromSeconds(90), command);

    public Task<CliResult> ExecAsync(TimeSpan timeout, params string[] command) =>
        RunAsync(["nsenter", "-t", InitPid.ToString(), "-a", "env", "-i", $"PATH={ContainerPath}", "HOME=/root", "LANG=C.UTF-8", .. command], timeout);

    /// <summary>Runs a command in the container as <see cref="User"/>, in reach of their user manager.</summary>
    public Task<CliResult> ExecAsUserAsync(params string[] command) =>
        RunAsync(["nsenter", "-t", InitPid.ToString(), "-a", "runuser", "-u", User, "--", "env", "-i", $"PATH={ContainerPath}", $"HOME=/home/{User}",
            "LANG=C.UTF-8", $"XDG_RUNTIME_DIR=/run/user/{UserId}", $"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/{UserId}/bus", .. command], TimeSpan.FromSeconds(90));

    /// <summary><c>systemctl show UNIT -p PROPERTY --value</c> (system manager).</summary>
    public async Task<string> ShowAsync(string unit, string property) =>
        (await ExecAsync("systemctl", "show", unit, "-p", property, "--value")).Stdout.Trim();

    /// <summary>The container's PID of a process, as the host sees it (the container has its own PID namespace).</summary>
    public int HostPidOf(int containerPid)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && NamespacePid(pid) == containerPid && IsInContainer(pid))
            {
                return pid;
            }
        }
        return 0;
    }

    /// <summary>A path inside the container, as the host reaches it (through the container's root).</summary>
    public string HostPath(string containerPath) => $"/proc/{InitPid}/root{containerPath}";

    /// <summary>Writes a file inside the container (directories created), owned by <paramref name="owner"/>, mode 0600.</summary>
    public async Task WriteFileAsync(string containerPath, string content, string owner = "root")
    {
        var mkdir = await ExecAsync("install", "-d", "-m", "700", "-o", owner, "-g", owner, Path.GetDirectoryName(containerPath)!);
        Assert.True(mkdir.ExitCode == 0, mkdir.ToString());
        // Owned and private beside, then renamed in: a process in the container that consumes the file at
        // once (a test-fault marker the gateway deletes) never races the chown, nor sees it half-written.
        var beside = $"{containerPath}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllTextAsync(HostPath(beside), content);
        var chown = await ExecAsync("chown", $"{owner}:{owner}", beside);
        Assert.True(chown.ExitCode == 0, chown.ToString());
        File.SetUnixFileMode(HostPath(beside), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(HostPath(beside), HostPath(containerPath), overwrite: true);
    }

    public override string ToString() => console.Text;

    public async ValueTask DisposeAsync()
    {
        Stop(nspawn);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await nspawn.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            nspawn.Kill(entireProcessTree: true);
        }
        nspawn.Dispose();
    }

    /// <summary>The dotnet installation the apphost finds (its default location, bound in at the same path).</summary>
    private static string DotnetRoot => Path.GetDirectoryName(Path.GetFullPath(ResolveLink("/usr/bin/dotnet")))!;

    private static string ResolveLink(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    private static async Task<string> TreeAsync()
    {
        await TreeBuild.WaitAsync();
        try
        {
            if (tree is null)
            {
                var script = Path.Combine(TestPaths.RepoRoot, "scripts", "systemd-tree.sh");
                var built = await RunAsync([script], TimeSpan.FromMinutes(10));
                Assert.True(built.ExitCode == 0, $"scripts/systemd-tree.sh failed; the systemd tests need root and Debian's debootstrap and systemd-container:\n{built}");
                tree = built.Stdout.Trim();
            }
            return tree;
        }
        finally
        {
            TreeBuild.Release();
        }
    }

    /// <summary>The container's systemd: the child of the nspawn process once it has exec'd systemd.</summary>
    private static int InitOf(int nspawnPid)
    {
        try
        {
            foreach (var line in File.ReadAllText($"/proc/{nspawnPid}/task/{nspawnPid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var child = int.Parse(line);
                if (File.ReadAllText($"/proc/{child}/comm").Trim() == "systemd")
                {
                    return child;
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private bool IsInContainer(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/status").Contains("NSpid:", StringComparison.Ordinal)
                && new FileInfo($"/proc/{pid}/ns/pid").ResolveLinkTarget(false)?.Name == new FileInfo($"/proc/{InitPid}/ns/pid").ResolveLinkTarget(false)?.Name;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The innermost PID of a process (the last NSpid field).</summary>
    private static int NamespacePid(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
            return line is null ? 0 : int.Parse(line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[^1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            // SIGTERM to systemd-nspawn shuts the container down cleanly (~1.5 s).
            Gateway.Infrastructure.Posix.Kill(process.Id, Gateway.Infrastructure.Posix.SIGTERM);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static Task<CliResult> RunAsync(IReadOnlyList<string> command, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }
        return CliRun.RunToEndAsync(info, string.Join(' ', command), timeout);
    }
}
