namespace ClawSharp.Control.Update;

/// <summary>
/// Replaces the installed binary by rename, never by writing into it (a running executable
/// must keep its image, and a reader must never see half a file). Order: copy the new binary to
/// <c>TARGET.new</c> beside the target (same file system, so the rename is atomic), with the
/// target's mode and flushed to disk; check its hash again (what is installed is what was
/// verified); copy the current binary to <c>TARGET.previous</c> (through a temp file and a
/// rename); rename <c>TARGET.new</c> over <c>TARGET</c>. The target exists at every instant.
/// Companion native libraries (<c>libe_sqlite3.so</c>) go the same way beside it.
/// </summary>
internal static class BinarySwap
{
    public const string PreviousSuffix = ".previous";
    private const string StageSuffix = ".new";

    public static string PreviousOf(string target) => target + PreviousSuffix;

    /// <summary>Installs <paramref name="source"/> (and its companions) at <paramref name="target"/>, keeping the current one as <c>.previous</c>.</summary>
    /// <param name="expectedSha256">Checked on the staged copy; null skips (<c>--no-verify</c>, or a rollback to our own previous binary).</param>
    /// <exception cref="UpdateRefusedException">The staged copy does not match; nothing was replaced.</exception>
    public static void Install(string source, IReadOnlyList<string> companions, string target, string? expectedSha256)
    {
        var folder = Path.GetDirectoryName(target)!;
        var staged = Stage(source, target);
        if (expectedSha256 is not null && ReleaseSources.HashOf(staged) != expectedSha256)
        {
            File.Delete(staged);
            throw new UpdateRefusedException($"the copy of {source} at {staged} does not match the checksum; nothing was replaced");
        }
        var stagedCompanions = companions.Select(c => Path.Combine(folder, NameOf(c))).Zip(companions, (t, c) => (Staged: Stage(c, t), Target: t)).ToList();
        KeepPrevious(target);
        foreach (var (_, companionTarget) in stagedCompanions)
        {
            KeepPrevious(companionTarget);
        }
        foreach (var (companionStaged, companionTarget) in stagedCompanions)
        {
            File.Move(companionStaged, companionTarget, overwrite: true);
        }
        File.Move(staged, target, overwrite: true);
    }

    /// <summary>Puts <c>TARGET.previous</c> back in place (one rename each, binary last), after an update whose new binary never became ready.</summary>
    public static void Restore(string target)
    {
        var folder = Path.GetDirectoryName(target)!;
        foreach (var name in ReleaseSources.CompanionNames)
        {
            var companion = Path.Combine(folder, name);
            if (File.Exists(PreviousOf(companion)))
            {
                File.Move(PreviousOf(companion), companion, overwrite: true);
            }
        }
        File.Move(PreviousOf(target), target, overwrite: true);
    }

    /// <summary>The companions kept beside <c>TARGET.previous</c>, for a rollback that takes them back too.</summary>
    public static IReadOnlyList<string> PreviousCompanions(string target)
    {
        var folder = Path.GetDirectoryName(target)!;
        return [.. ReleaseSources.CompanionNames.Select(name => PreviousOf(Path.Combine(folder, name))).Where(File.Exists)];
    }

    /// <summary>A companion's installed name: <c>libe_sqlite3.so.previous</c> (a rollback's source) goes back as <c>libe_sqlite3.so</c>.</summary>
    private static string NameOf(string companion)
    {
        var name = Path.GetFileName(companion);
        return name.EndsWith(PreviousSuffix, StringComparison.Ordinal) ? name[..^PreviousSuffix.Length] : name;
    }

    private static string Stage(string source, string destination)
    {
        var staged = destination + StageSuffix;
        File.Copy(source, staged, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.Exists(destination) ? File.GetUnixFileMode(destination) : File.GetUnixFileMode(source);
            File.SetUnixFileMode(staged, mode | UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        using (var stream = new FileStream(staged, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Flush(flushToDisk: true);
        }
        return staged;
    }

    private static void KeepPrevious(string current)
    {
        if (!File.Exists(current))
        {
            return;
        }
        var temp = PreviousOf(current) + ".tmp";
        File.Copy(current, temp, overwrite: true);
        File.Move(temp, PreviousOf(current), overwrite: true);
    }
}
