using System.Diagnostics;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>The result of one short-lived clawsharp command.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the real clawsharp binary to completion.</summary>
internal static class CliRun
{
    public static Task<CliResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null) => RunAsync(ClawSharpStartInfo.Create(args, environment), args, timeout);

    /// <summary>Runs another clawsharp binary than this build's (a release build) to completion.</summary>
    public static Task<CliResult> RunProgramAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null) =>
        RunAsync(ClawSharpStartInfo.Create(program, args, null), args, timeout);

    private static Task<CliResult> RunAsync(ProcessStartInfo info, IEnumerable<string> args, TimeSpan? timeout) =>
        RunToEndAsync(info, $"clawsharp {string.Join(' ', args)}", timeout);

    /// <summary>Runs any process to completion (stdin closed, output buffered), failing the test past the deadline (default 60 s).</summary>
    public static async Task<CliResult> RunToEndAsync(ProcessStartInfo info, string description, TimeSpan? timeout)
    {
        using var process = Process.Start(info)!;
        if (info.RedirectStandardInput)
        {
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{description} did not finish within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds} s");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <c>clawsharp ARGS --home HOME</c>.</summary>
    public static Task<CliResult> RunAsync(TempHome home, params string[] args) => RunAsync([.. args, "--home", home.Root]);

    /// <summary><c>clawsharp gateway call METHOD [--params JSON]</c>; asserts success and returns the payload.</summary>
    public static async Task<System.Text.Json.JsonElement> CallAsync(TempHome home, string method, string? paramsJson = null)
    {
        var result = await RunAsync(home, paramsJson is null ? ["gateway", "call", method] : ["gateway", "call", method, "--params", paramsJson]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement;
    }

    public static Task<CliResult> RunAsync(TempHome home, IEnumerable<string> args) => RunAsync([.. args, "--home", home.Root]);
}
