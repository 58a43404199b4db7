using System.Collections;

namespace ClawSharp.Gateway.Agents;

/// <summary>
/// The environment an exec agent or task gets: only the gateway's variables named by the
/// allowlist (<c>agents.exec.environment</c>, <c>tasks.environment</c>; an entry ending in
/// <c>*</c> is a prefix), <c>CLAWSHARP_HOME</c>, and the gateway's own per-run variables.
/// The gateway's secrets (the provider key's variable, <c>CLAWSHARP_TOKEN</c>,
/// <c>CLAWSHARP_PASSWORD</c>) are never passed, even when listed: a command that prints its
/// environment into a reply must not publish them.
/// </summary>
internal sealed class ChildEnvironment(IReadOnlyList<string> allowlist, IReadOnlyCollection<string> neverPassed)
{
    /// <summary>Secrets of the gateway itself, never passed whatever the allowlist says.</summary>
    public static readonly IReadOnlyList<string> GatewaySecrets = ["CLAWSHARP_TOKEN", "CLAWSHARP_PASSWORD"];

    /// <summary>Passed always: a <c>clawsharp</c> the command runs reaches this gateway.</summary>
    private const string Home = "CLAWSHARP_HOME";

    /// <summary>The variables for one child: the allowed part of <paramref name="current"/>, then <paramref name="extra"/>.</summary>
    public Dictionary<string, string> For(IDictionary current, IReadOnlyDictionary<string, string> extra)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in current)
        {
            if (entry.Key is string name && entry.Value is string value && (name == Home || Allowed(name)))
            {
                result[name] = value;
            }
        }
        foreach (var (name, value) in extra)
        {
            result[name] = value;
        }
        return result;
    }

    private bool Allowed(string name)
    {
        if (neverPassed.Contains(name))
        {
            return false;
        }
        foreach (var entry in allowlist)
        {
            if (entry.EndsWith('*') ? name.StartsWith(entry[..^1], StringComparison.Ordinal) : name == entry)
            {
                return true;
            }
        }
        return false;
    }
}
