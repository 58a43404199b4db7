namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// Stand-ins for a service manager's tools (<c>launchctl</c>, <c>systemctl</c>, <c>sc.exe</c>,
/// <c>reg.exe</c>) where the real one cannot run: each records its arguments, one call per line,
/// in a file shared by all the stand-ins of one directory, and answers each subcommand (its first
/// argument) with the exit code and output the test set (default: exit 0, silent). Put
/// <see cref="Directory"/> first on PATH, or run <see cref="PathOf"/> directly.
/// </summary>
/// <remarks>
/// Every stand-in is a symbolic link to one script written once per test run: writing an
/// executable while another test forks is how "Text file busy" (ETXTBSY) happens, since the
/// child briefly holds the write descriptor. The answers are plain files the script reads.
/// </remarks>
internal sealed class RecordingStandIn : IDisposable
{
    /// <summary>Separates the arguments of one recorded call: no argument contains it.</summary>
    private const char Separator = '\u001f';

    private const string Script = """
        #!/bin/sh
        # A recording stand-in (tests/ClawSharp.Tests/Infrastructure/RecordingStandIn.cs).
        dir=$(dirname "$0"); prog=$(basename "$0")
        { printf '%s' "$prog"; for a in "$@"; do printf '\037%s' "$a"; done; printf '\n'; } >> "$dir/calls.log"
        rule="$dir/answers/$prog/$1"
        [ -n "$1" ] && [ -f "$rule.exit" ] || rule="$dir/answers/$prog/_"
        [ -f "$rule.stdout" ] && cat "$rule.stdout"
        [ -f "$rule.stderr" ] && cat "$rule.stderr" >&2
        [ -f "$rule.exit" ] && exit "$(cat "$rule.exit")"
        exit 0
        """;

    private static readonly Lazy<string> SharedScript = new(WriteSharedScript);

    public RecordingStandIn()
    {
        Directory = Path.Combine(Path.GetTempPath(), "clawsharp-standin-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Where the stand-ins are.</summary>
    public string Directory { get; }

    /// <summary>PATH with <see cref="Directory"/> first, for a process that should find the stand-ins by name.</summary>
    public string SearchPath => $"{Directory}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";

    /// <summary>Adds a stand-in named <paramref name="program"/>.</summary>
    public RecordingStandIn Add(string program)
    {
        File.CreateSymbolicLink(PathOf(program), SharedScript.Value);
        System.IO.Directory.CreateDirectory(AnswersOf(program));
        return this;
    }

    /// <summary>The stand-in's full path.</summary>
    public string PathOf(string program) => Path.Combine(Directory, program);

    /// <summary>
    /// How <paramref name="program"/> answers <paramref name="subcommand"/> (its first argument) from now
    /// on; <c>null</c> sets the answer to every subcommand without one of its own.
    /// </summary>
    public RecordingStandIn On(string program, string? subcommand, int exitCode, string stdout = "", string stderr = "")
    {
        var rule = Path.Combine(AnswersOf(program), subcommand ?? "_");
        Replace(rule + ".stdout", stdout);
        Replace(rule + ".stderr", stderr);
        Replace(rule + ".exit", exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>
    /// Writes beside, then renames over: a stand-in running meanwhile (a test may change an answer
    /// while the code under test polls) reads the old answer or the new one, never a truncated
    /// file (an empty <c>.exit</c> made <c>exit ""</c> fail with 2).
    /// </summary>
    private static void Replace(string path, string text)
    {
        var beside = $"{path}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(beside, text);
        File.Move(beside, path, overwrite: true);
    }

    /// <summary>Every call so far, in order: the program's name, then its arguments.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Calls
    {
        get
        {
            var log = Path.Combine(Directory, "calls.log");
            return File.Exists(log)
                ? [.. File.ReadAllLines(log).Where(line => line.Length > 0).Select(line => line.Split(Separator))]
                : [];
        }
    }

    /// <summary>Every call so far as one readable line each: <c>launchctl bootstrap gui/501 /x/y.plist</c> (arguments joined by spaces, unquoted).</summary>
    public IReadOnlyList<string> Lines => [.. Calls.Select(call => string.Join(' ', call))];

    /// <summary>Forgets the calls so far.</summary>
    public void ClearCalls() => File.Delete(Path.Combine(Directory, "calls.log"));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string AnswersOf(string program) => Path.Combine(Directory, "answers", program);

    private static string WriteSharedScript()
    {
        var path = Path.Combine(Path.GetTempPath(), $"clawsharp-standin-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.sh");
        File.WriteAllText(path, Script.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
