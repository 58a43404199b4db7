using System.Text.Json;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Agents;

/// <summary>The agents of one server generation, by name, built from the configuration.</summary>
internal sealed class AgentCatalog : IDisposable
{
    private readonly Dictionary<string, IAgent> agents;
    private readonly HttpClient http = new();

    public AgentCatalog(AgentOptions options, StateDirectory state, Func<string, string?> getEnvironment, TimeProvider time, ExecChildren children)
    {
        var apiKey = getEnvironment(options.OpenAiApiKeyEnv) ?? ReadSecret(state, "openaiApiKey");
        agents = new Dictionary<string, IAgent>(StringComparer.Ordinal)
        {
            ["echo"] = new EchoAgent(options.EchoDelay, time),
            ["exec"] = new ExecAgent(options.ExecCommand, options.ExecTimeout, options.ExecMaxReplyBytes,
                new ChildEnvironment(options.ExecEnvironment, [options.OpenAiApiKeyEnv, .. ChildEnvironment.GatewaySecrets]), children,
                Environment.GetEnvironmentVariables),
            ["openai"] = new OpenAiAgent(http, options.OpenAiBaseUrl, options.OpenAiModel, apiKey, options.OpenAiTimeout),
        };
        Default = options.Default;
    }

    public string Default { get; }

    public IAgent Get(string name) => agents.TryGetValue(name, out var agent) ? agent : agents[Default];

    public static bool Exists(string name) => AgentOptions.Names.Contains(name);

    public void Dispose() => http.Dispose();

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
