namespace ClawSharp.Gateway.Lifecycle;

/// <summary>The result of <see cref="IGenerationStarter.StartAsync"/>.</summary>
internal abstract record GenerationStart
{
    private GenerationStart()
    {
    }

    public sealed record Started(IGatewayGeneration Generation) : GenerationStart;

    public sealed record Failed(ExitCode Code) : GenerationStart;
}
