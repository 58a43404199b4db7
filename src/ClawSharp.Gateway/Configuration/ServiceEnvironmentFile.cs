using System.Globalization;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// The service's environment file (<c>CLAWSHARP_ENV_FILE</c>): <c>KEY=VALUE</c> lines the gateway
/// loads into its own environment at start, before the configuration, so that secrets such as
/// <c>OPENAI_API_KEY</c> reach the agents. launchd and the Windows service manager have no
/// <c>EnvironmentFile=</c> of their own (systemd does, and needs none of this). Because the file
/// holds secrets, it is refused unless it belongs to this user and no one else may read or write
/// it; a missing or malformed file is refused too, as a configuration error (exit 78).
/// Format: one <c>KEY=VALUE</c> a line; blank lines and lines starting with <c>#</c> ignored;
/// the value may be wrapped in double quotes (removed, nothing inside is unescaped). Values in
/// the file win over variables already set.
/// </summary>
internal static class ServiceEnvironmentFile
{
    /// <summary>Names the file; unset = no file.</summary>
    public const string EnvironmentVariable = "CLAWSHARP_ENV_FILE";

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Loads the file that <c>CLAWSHARP_ENV_FILE</c> names into this process's environment; does
    /// nothing when it is unset. Returns how many variables were set.
    /// </summary>
    /// <exception cref="ConfigException">The file is missing, not private, or malformed; the message says which and the fix.</exception>
    public static int LoadIntoProcess()
    {
        var path = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(path))
        {
            return 0;
        }
        var variables = Read(path);
        foreach (var (key, value) in variables)
        {
            Environment.SetEnvironmentVariable(key, value);
        }
        return variables.Count;
    }

    /// <summary>Checks that <paramref name="path"/> exists and is private, then parses it.</summary>
    /// <exception cref="ConfigException">Missing, not private, unreadable or malformed.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            CheckPrivate(path);
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw Missing(path);
        }
        catch (DirectoryNotFoundException)
        {
            throw Missing(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read the environment file {path} ({EnvironmentVariable}): {e.Message}", file: path);
        }
        return Parse(text, path);
    }

    /// <summary>The variables in <paramref name="text"/>, in file order.</summary>
    /// <exception cref="ConfigException">A line is not <c>KEY=VALUE</c>; the message names the line number (never its content: it may hold a secret).</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text, string path)
    {
        var variables = new List<KeyValuePair<string, string>>();
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? line[..equals].TrimEnd() : "";
            if (!IsName(key))
            {
                throw Malformed(path, index + 1, "expected KEY=VALUE, KEY being letters, digits and '_'");
            }
            var value = line[(equals + 1)..].TrimStart();
            if (value.StartsWith('"'))
            {
                if (value.Length < 2 || !value.EndsWith('"'))
                {
                    throw Malformed(path, index + 1, "the value opens a double quote but does not close it");
                }
                value = value[1..^1];
            }
            variables.Add(new KeyValuePair<string, string>(key, value));
        }
        return variables;
    }

    private static void CheckPrivate(string path)
    {
        if (Posix.FileOwnerAndMode(path, out var errno) is not { } found)
        {
            // ENOENT, ENOTDIR
            throw errno is 2 or 20
                ? Missing(path)
                : new ConfigException($"cannot examine the environment file {path} ({EnvironmentVariable}): errno {errno}", file: path);
        }
        var me = Posix.EffectiveUserId();
        if (found.Uid != me)
        {
            throw new ConfigException(
                $"the environment file {path} ({EnvironmentVariable}) belongs to uid {found.Uid}, not to this user (uid {me}): it holds secrets, so it must be yours; fix: chown {me} {path} && chmod 600 {path}",
                file: path);
        }
        if ((found.Mode & GroupOrOther) != 0)
        {
            throw new ConfigException(
                $"the environment file {path} ({EnvironmentVariable}) has mode {Octal(found.Mode)}: it holds secrets, so group and others must have no access; fix: chmod 600 {path}",
                file: path);
        }
    }

    private static bool IsName(string key) =>
        key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');

    private static ConfigException Missing(string path) =>
        new($"the environment file {path} ({EnvironmentVariable}) does not exist; create it with mode 600, or unset {EnvironmentVariable}", file: path);

    private static ConfigException Malformed(string path, int line, string why) =>
        new(string.Create(CultureInfo.InvariantCulture, $"the environment file {path} ({EnvironmentVariable}), line {line}: {why}"), file: path);
}
