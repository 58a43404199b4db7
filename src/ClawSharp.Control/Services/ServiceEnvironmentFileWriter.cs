using System.Text;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Services;

/// <summary>
/// Writes the service's environment file: the only place a secret of the service lives, owner-only
/// (0600, atomically, never a backup copy). It exists even when empty, so that an operator has
/// one obvious place to add a key later.
/// </summary>
internal static class ServiceEnvironmentFileWriter
{
    public static void Write(ServiceDefinition definition)
    {
        var text = new StringBuilder()
            .AppendLine("# Secrets of the clawsharp gateway service, KEY=VALUE per line. Owner-only (0600): keep it so.")
            .AppendLine("# Written by 'clawsharp gateway install'; removed by 'clawsharp gateway uninstall'.");
        foreach (var (key, value) in definition.Secrets.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
            {
                throw new ServiceCommandException($"the value of {key} spans several lines; an environment file cannot hold it");
            }
            text.Append(key).Append('=').AppendLine(value);
        }
        AtomicFile.WriteAllText(definition.EnvironmentFile, text.ToString());
    }
}
