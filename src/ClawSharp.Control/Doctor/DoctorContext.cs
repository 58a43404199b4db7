using ClawSharp.Daemon;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Doctor;

/// <summary>What every check reads: the state directory, its configuration (loaded once, or why it cannot be) and who runs now.</summary>
internal sealed class DoctorContext
{
    private readonly Lazy<(GatewayConfig? Config, string? Problem)> config;
    private readonly Lazy<DaemonSnapshot> snapshot;

    public DoctorContext(StateDirectory state, Func<string, string?> getEnvironment)
    {
        State = state;
        GetEnvironment = getEnvironment;
        config = new(() =>
        {
            try
            {
                return (ConfigLoader.Load(state), null);
            }
            catch (ConfigException e)
            {
                return (null, e.Message);
            }
        });
        snapshot = new(() => DaemonSnapshot.Take(state));
    }

    public StateDirectory State { get; }

    /// <summary><c>--deep</c>: run the checks that read everything (the store's <c>PRAGMA quick_check</c>), which take time in proportion to the data.</summary>
    public bool Deep { get; init; }

    public Func<string, string?> GetEnvironment { get; }

    /// <summary>The configuration, null when it does not load (<see cref="ConfigProblem"/> says why).</summary>
    public GatewayConfig? Config => config.Value.Config;

    public string? ConfigProblem => config.Value.Problem;

    /// <summary>daemon.json, the lock and restarting.json with every PID verified (the picture <c>gateway status</c> uses).</summary>
    public DaemonSnapshot Snapshot => snapshot.Value;
}
