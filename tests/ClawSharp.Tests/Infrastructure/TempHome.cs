using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Tests.Infrastructure;

/// <summary>A throw-away state directory, removed with everything in it.</summary>
internal sealed class TempHome : IDisposable
{
    public TempHome()
    {
        Root = Path.Combine(Path.GetTempPath(), "clawsharp-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        State = new StateDirectory(Root);
    }

    public string Root { get; }
    public StateDirectory State { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void WriteConfig(string json) => File.WriteAllText(State.ConfigFile, json);

    /// <summary>Kills every process still naming this directory on its command line (supervisors, gateways, respawned copies), then deletes it.</summary>
    public void Dispose()
    {
        StrayProcesses.Kill(Root);
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
