using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ClawSharp.Control.Update;

/// <summary>Where <c>update --from</c> takes the new binary from, and the checksum it must have.</summary>
/// <param name="Binary">The new executable.</param>
/// <param name="ExpectedSha256">Lower-case hex; null only with <c>--no-verify</c>.</param>
/// <param name="ChecksumSource">Where the expected hash came from: the SHA256SUMS path, <c>--sha256</c>, or null.</param>
/// <param name="Companions">Native libraries beside the binary that go with it (<c>libe_sqlite3.so</c>), copied along.</param>
internal sealed record ReleaseSource(string Binary, string? ExpectedSha256, string? ChecksumSource, IReadOnlyList<string> Companions);

/// <summary>
/// Resolves <c>--from</c>: a release folder (<c>artifacts/release/VERSION/</c> with <c>SHA256SUMS</c>
/// and one folder per runtime, or <c>artifacts/release/</c> holding version folders, the newest
/// taken), a runtime folder inside one, or a bare binary. Pure apart from reading the folder.
/// </summary>
internal static class ReleaseSources
{
    public const string SumsFile = "SHA256SUMS";

    /// <summary>The native libraries a release may ship beside the binary.</summary>
    public static readonly string[] CompanionNames = ["libe_sqlite3.so", "libe_sqlite3.dylib", "e_sqlite3.dll"];

    /// <summary>This machine's runtime folder name: <c>linux-x64</c>, <c>linux-arm64</c>, <c>osx-arm64</c>, <c>win-x64</c>.</summary>
    public static string CurrentRid()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return $"{os}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
    }

    /// <summary>The binary's file name in a release: <c>clawsharp</c> (<c>clawsharp.exe</c> on Windows).</summary>
    public static string BinaryName => OperatingSystem.IsWindows() ? "clawsharp.exe" : "clawsharp";

    /// <summary>Resolves <paramref name="from"/>; throws <see cref="UpdateRefusedException"/> with the reason when it cannot.</summary>
    /// <param name="from">The <c>--from</c> path.</param>
    /// <param name="sha256">The <c>--sha256</c> value, for a bare binary.</param>
    /// <param name="noVerify"><c>--no-verify</c>: a bare binary without a hash is accepted.</param>
    /// <param name="rid">The runtime folder to pick.</param>
    public static ReleaseSource Resolve(string from, string? sha256, bool noVerify, string rid)
    {
        var full = Path.GetFullPath(from);
        if (File.Exists(full))
        {
            return Bare(full, sha256, noVerify);
        }
        if (!Directory.Exists(full))
        {
            throw new UpdateRefusedException($"{full} does not exist");
        }
        var versionFolder = VersionFolder(full, rid);
        var relative = $"{rid}/{BinaryName}";
        var binary = Path.Combine(versionFolder, rid, BinaryName);
        if (!File.Exists(binary))
        {
            throw new UpdateRefusedException($"the release {versionFolder} has no build for this machine ({relative} is missing)");
        }
        var sums = Path.Combine(versionFolder, SumsFile);
        var expected = ReadSums(sums).GetValueOrDefault(relative)
            ?? throw new UpdateRefusedException($"{sums} has no entry for {relative}: the binary cannot be verified");
        if (sha256 is not null && !string.Equals(Normalize(sha256), expected, StringComparison.Ordinal))
        {
            throw new UpdateRefusedException($"--sha256 {sha256} does not match the entry for {relative} in {sums} ({expected})");
        }
        return new ReleaseSource(binary, expected, sums, Companions(Path.GetDirectoryName(binary)!));
    }

    /// <summary>The lower-case hex SHA-256 of a file.</summary>
    public static string HashOf(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Parses <c>sha256sum</c> output: <c>HASH  path</c> (or <c>HASH *path</c>), paths relative to the version folder.</summary>
    public static IReadOnlyDictionary<string, string> ParseSums(string text)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space != 64 || line.Length < 67)
            {
                continue;
            }
            var path = line[(space + 1)..];
            path = path.StartsWith(' ') || path.StartsWith('*') ? path[1..] : path;
            entries[path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path] = Normalize(line[..64]);
        }
        return entries;
    }

    private static ReleaseSource Bare(string binary, string? sha256, bool noVerify)
    {
        if (sha256 is null && !noVerify)
        {
            throw new UpdateRefusedException(
                $"{binary} is a bare binary with no SHA256SUMS beside it, so its checksum cannot be checked; give the expected hash with --sha256 HASH (or, at your own risk, --no-verify)");
        }
        return new ReleaseSource(binary, sha256 is null ? null : Normalize(sha256), sha256 is null ? null : "--sha256", Companions(Path.GetDirectoryName(binary)!));
    }

    /// <summary>The folder holding SHA256SUMS: the given one, its parent (a runtime folder was given), or its newest version subfolder.</summary>
    private static string VersionFolder(string folder, string rid)
    {
        if (File.Exists(Path.Combine(folder, SumsFile)))
        {
            return folder;
        }
        if (Path.GetDirectoryName(folder) is { } parent && File.Exists(Path.Combine(parent, SumsFile)))
        {
            return parent;
        }
        var versions = Directory.EnumerateDirectories(folder)
            .Where(d => File.Exists(Path.Combine(d, SumsFile)) && File.Exists(Path.Combine(d, rid, BinaryName)))
            .Select(d => (Folder: d, Version: Version.TryParse(Path.GetFileName(d).TrimStart('v').Split('-', '+')[0], out var v) ? v : null))
            .Where(d => d.Version is not null)
            .OrderByDescending(d => d.Version)
            .ToList();
        return versions.Count > 0 ? versions[0].Folder
            : throw new UpdateRefusedException($"{folder} is not a release folder: no {SumsFile} in it, its parent, or a version folder under it");
    }

    private static IReadOnlyDictionary<string, string> ReadSums(string path)
    {
        try
        {
            return ParseSums(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpdateRefusedException($"cannot read {path}: {e.Message}");
        }
    }

    private static IReadOnlyList<string> Companions(string folder) =>
        [.. CompanionNames.Select(name => Path.Combine(folder, name)).Where(File.Exists)];

    private static string Normalize(string hash) => hash.Trim().ToLowerInvariant();
}

/// <summary>An update refused before anything was changed; the message says why.</summary>
internal sealed class UpdateRefusedException(string message) : Exception(message);
