using System.Text.RegularExpressions;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// Nothing opens <c>state.db</c> (or its <c>-wal</c>/<c>-shm</c>) other than through SQLite:
/// closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
/// included, so a helper that reads or copies the file behind SQLite's back lets a second writer
/// in. Checked over the sources: the store's folder opens no file itself, and no line elsewhere
/// that names the store's files opens, reads, copies or moves them (a backup uses SQLite's own
/// <c>VACUUM INTO</c> or backup API). <c>File.Exists</c> and the mode calls work on the path and are fine.
/// </summary>
public sealed partial class StoreFileAccessTests
{
    [Fact]
    public void TheStoreFolder_OpensNoFileItself()
    {
        var offenders = Sources(Path.Combine("src", "ClawSharp.Gateway", "Storage"))
            .SelectMany(file => Lines(file).Where(line => OpensAFile().IsMatch(line.Text)).Select(line => $"{file}:{line.Number}: {line.Text.Trim()}"))
            .ToList();

        Assert.True(offenders.Count == 0, "the store's folder opens a file outside SQLite:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void NoCodeOpensTheStoreFiles_OtherThanThroughSqlite()
    {
        var offenders = Sources("src")
            .SelectMany(file => Lines(file)
                .Where(line => NamesTheStore().IsMatch(line.Text) && OpensAFile().IsMatch(line.Text))
                .Select(line => $"{file}:{line.Number}: {line.Text.Trim()}"))
            .ToList();

        Assert.True(offenders.Count == 0, "state.db opened outside SQLite:\n" + string.Join("\n", offenders));
    }

    private static IEnumerable<string> Sources(string relative) =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, relative), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static IEnumerable<(int Number, string Text)> Lines(string file) =>
        File.ReadLines(file).Select((text, i) => (i + 1, text)).Where(line => !line.Item2.TrimStart().StartsWith("//", StringComparison.Ordinal));

    [GeneratedRegex(@"StoreFile|state\.db|""-wal""|""-shm""")]
    private static partial Regex NamesTheStore();

    [GeneratedRegex(@"new FileStream\b|File\.(Open\w*|Read\w*|Copy|Move|Write\w*|Create|Replace|AppendAll\w*|Delete)\s*\(|FileInfo\([^)]*\)\.(Open|Copy|Move)|AtomicFile\.(Write|Open)\w*\s*\(")]
    private static partial Regex OpensAFile();
}
