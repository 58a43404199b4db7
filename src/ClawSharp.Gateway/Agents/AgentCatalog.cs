using System.Text.Json;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Agents;

/// <summary>
/// The agents of one server generation, by name, built from the agent settings in effect: when a
/// config reload swaps them, the next run gets agents built from the new ones (a run in flight
/// keeps the agent it started with).
/// </summary>
internal sealed class AgentCatalog : IDisposable
{
    private readonly HttpClient http = new();
    private readonly Func<AgentOptions> options;
    private readonly StateDirectory state;
    private readonly Func<string, string?> getEnvironment;
    private readonly TimeProvider time;
    private readonly ExecChildren children;
    private volatile Built built;

    public AgentCatalog(Func<AgentOptions> options, StateDirectory state, Func<string, string?> getEnvironment, TimeProvider time, ExecChildren children)
    {
        this.children = children;
        this.options = options;
        this.state = state;
        this.getEnvironment = getEnvironment;
        this.time = time;
        built = Build(options());
    }

    public string Default => Current.Default;

    public IAgent Get(string name)
    {
        var current = Current;
        return current.Agents.TryGetValue(name, out var agent) ? agent : current.Agents[current.Default];
    }

    public static bool Exists(string name) => AgentOptions.Names.Contains(name);

    public void Dispose() => http.Dispose();

    private Built Current
    {
        get
        {
            var now = options();
            var last = built;
            return ReferenceEquals(last.Options, now) ? last : built = Build(now);
        }
    }

    private Built Build(AgentOptions options)
    {
        var apiKey = getEnvironment(options.OpenAiApiKeyEnv) ?? ReadSecret(state, "openaiApiKey");
        var agents = new Dictionary<string, IAgent>(StringComparer.Ordinal)
        {
            ["echo"] = new EchoAgent(options.EchoDelay, time),
            ["exec"] = new ExecAgent(options.ExecCommand, options.ExecTimeout, options.ExecMaxReplyBytes,
                new ChildEnvironment(options.ExecEnvironment, [options.OpenAiApiKeyEnv, .. ChildEnvironment.GatewaySecrets]), children,
                Environment.GetEnvironmentVariables),
            ["openai"] = new OpenAiAgent(http, options.OpenAiBaseUrl, options.OpenAiModel, apiKey, options.OpenAiTimeout),
        };
        return new Built(options, agents, options.Default);
    }

    private sealed record Built(AgentOptions Options, Dictionary<string, IAgent> Agents, string Default);

    private static string? ReadSecret(StateDirectory state, string key)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(state.SecretsFile));
            return document.RootElement.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
