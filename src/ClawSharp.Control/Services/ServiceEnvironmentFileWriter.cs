using System.Text;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Services;

/// <summary>
/// Writes the service's environment file: the only place a secret of the service lives, owner-only
/// (0600, atomically, never a backup copy). It exists even when empty, so that an operator has
/// one obvious place to add a key later; and what is in it already is kept (<c>install --force</c>
/// from a shell without the API key must not wipe it, nor the keys added by hand), with the
/// installer's own values winning.
/// </summary>
internal static class ServiceEnvironmentFileWriter
{
    public static void Write(ServiceDefinition definition)
    {
        var entries = new List<KeyValuePair<string, string>>(Existing(definition.EnvironmentFile));
        foreach (var (key, value) in definition.Secrets.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                throw new ServiceCommandException($"the value of {key} spans several lines; an environment file cannot hold it");
            }
            entries.RemoveAll(entry => entry.Key == key);
            entries.Add(new KeyValuePair<string, string>(key, value));
        }
        var text = new StringBuilder()
            .AppendLine("# Secrets of the clawsharp gateway service, KEY=VALUE per line. Owner-only (0600): keep it so.")
            .AppendLine("# Written by 'clawsharp gateway install' (which keeps what is here); removed by 'clawsharp gateway uninstall'.");
        foreach (var (key, value) in entries)
        {
            // Double quotes keep blanks for both readers (systemd's EnvironmentFile= and the gateway's own).
            text.Append(key).Append('=').AppendLine(value.Any(char.IsWhiteSpace) ? $"\"{value}\"" : value);
        }
        AtomicFile.WriteAllText(definition.EnvironmentFile, text.ToString());
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Existing(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        try
        {
            return ServiceEnvironmentFile.Parse(File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
        {
            // Rewriting it would lose what the operator put there: they decide.
            throw new ServiceCommandException($"the service's environment file cannot be read back ({e.Message}); fix it or move it away, then install again");
        }
    }
}
