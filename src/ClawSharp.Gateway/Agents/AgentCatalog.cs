using System.Text.Json;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Agents;

/// <summary>
/// The agents of one server generation, by name, built from the agent settings in effect: when a
/// config reload swaps them, the next run gets agents built from the new ones (a run in flight
/// keeps the agent it started with). Built at the first run, not at start: an idle gateway needs no
/// agents, and building them read <c>secrets.json</c> (an exception when it is absent) and made an
/// <see cref="HttpClient"/> (bench/RESULTS.md, "Memory"); the client waits for the first OpenAI request.
/// </summary>
internal sealed class AgentCatalog : IDisposable
{
    private readonly Lazy<HttpClient> http = new(() => new HttpClient());
    private readonly Func<AgentOptions> options;
    private readonly StateDirectory state;
    private readonly Func<string, string?> getEnvironment;
    private readonly TimeProvider time;
    private readonly ExecChildren children;
    private volatile Built? built;

    public AgentCatalog(Func<AgentOptions> options, StateDirectory state, Func<string, string?> getEnvironment, TimeProvider time, ExecChildren children)
    {
        this.children = children;
        this.options = options;
        this.state = state;
        this.getEnvironment = getEnvironment;
        this.time = time;
    }

    public string Default => Current.Default;

    public IAgent Get(string name)
    {
        var current = Current;
        return current.Agents.TryGetValue(name, out var agent) ? agent : current.Agents[current.Default];
    }

    public static bool Exists(string name) => AgentOptions.Names.Contains(name);

    public void Dispose()
    {
        if (http.IsValueCreated)
        {
            http.Value.Dispose();
        }
    }

    private Built Current
    {
        get
        {
            var now = options();
            var last = built;
            return last is not null && ReferenceEquals(last.Options, now) ? last : built = Build(now);
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
