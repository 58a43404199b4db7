using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>A test class whose tests share one gateway, started in a fresh home before the first and stopped after the last.</summary>
public abstract class RunningGatewayTests : IAsyncLifetime
{
    private protected TempHome Home { get; } = new();

    private protected GatewayProcess Gateway { get; private set; } = null!;

    /// <summary>The home's token, read once the gateway created it.</summary>
    private protected string Token { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gateway = await GatewayProcess.StartGatewayAsync(Home);
        Token = TokenStore.TryRead(Home.State)!;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        Home.Dispose();
    }
}
