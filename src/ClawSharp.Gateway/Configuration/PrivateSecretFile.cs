using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// Reads a secret (a token) from a file the operator names, such as <c>--token-file</c>: the file
/// must belong to this user and give group and others no access (the rule of
/// <see cref="ServiceEnvironmentFile"/>), because a secret anyone on the machine can read is no
/// secret. The message of a refusal names the file and the command that fixes it, never the content.
/// </summary>
internal static class PrivateSecretFile
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The trimmed content of <paramref name="path"/>, once its owner and mode are checked.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file holds, for messages ("token file").</param>
    /// <exception cref="ConfigException">Missing, not private, unreadable or empty.</exception>
    public static string Read(string path, string what)
    {
        CheckPrivate(path, what);
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read the {what} {path}: {e.Message}", file: path);
        }
        return text.Length > 0 ? text : throw new ConfigException($"the {what} {path} is empty", file: path);
    }

    /// <summary>Throws unless <paramref name="path"/> exists, is this user's and gives group and others no access.</summary>
    /// <exception cref="ConfigException">Missing or not private; the message says the fix.</exception>
    public static void CheckPrivate(string path, string what)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        if (Posix.FileOwnerAndMode(path, out var errno) is not { } found)
        {
            throw errno is 2 or 20
                ? new ConfigException($"the {what} {path} does not exist", file: path)
                : new ConfigException($"cannot examine the {what} {path}: errno {errno}", file: path);
        }
        var me = Posix.EffectiveUserId();
        if (found.Uid != me)
        {
            throw new ConfigException(
                $"the {what} {path} belongs to uid {found.Uid}, not to this user (uid {me}): it holds a secret, so it must be yours; fix: chown {me} {path} && chmod 600 {path}",
                file: path);
        }
        if ((found.Mode & GroupOrOther) != 0)
        {
            throw new ConfigException(
                $"the {what} {path} has mode 0{Convert.ToString((int)found.Mode, 8).PadLeft(3, '0')}: it holds a secret, so group and others must have no access; fix: chmod 600 {path}",
                file: path);
        }
    }
}
