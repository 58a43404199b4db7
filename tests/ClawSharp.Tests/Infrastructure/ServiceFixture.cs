using ClawSharp.Control.Services;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>
/// A state directory, a home directory and recording stand-ins for one install test of a
/// service manager that cannot run here; the definition is built the way <c>gateway install</c>
/// builds it, with a fake API key in the installer's environment.
/// </summary>
internal sealed class ServiceFixture : IDisposable
{
    public const string FakeApiKey = "sk-test-not-a-real-key-0123456789";

    public ServiceFixture(params string[] tools)
    {
        foreach (var tool in tools)
        {
            StandIns.Add(tool);
        }
        UserHome = Path.Combine(Home.Root, "user");
        Directory.CreateDirectory(UserHome);
    }

    public TempHome Home { get; } = new();
    public RecordingStandIn StandIns { get; } = new();
    public string UserHome { get; }

    /// <summary>The installer's environment: the agent's API key, as a user would have exported it.</summary>
    public static string? InstallerEnvironment(string name) => name == "OPENAI_API_KEY" ? FakeApiKey : null;

    public ServiceDefinition Definition(ServicePlatform platform, ServiceScope scope = ServiceScope.User, StateDirectory? state = null) =>
        ServiceDefinitionBuilder.Build(platform, scope, state ?? Home.State, new GatewayConfig(), new ConfigOverrides(),
            ["/usr/local/bin/clawsharp"], UserHome, InstallerEnvironment, user: null);

    public void Dispose()
    {
        StandIns.Dispose();
        Home.Dispose();
    }
}
