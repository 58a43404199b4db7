using Microsoft.Extensions.Hosting.Systemd;

namespace ClawSharp.Tests.Fakes;

/// <summary>Hears what the gateway tells systemd: each notification's assignments, in order, one entry per line.</summary>
internal sealed class FakeSystemdNotifier : ISystemdNotifier
{
    private readonly Lock gate = new();
    private readonly List<string> lines = [];

    public bool IsEnabled => true;

    /// <summary>Every assignment sent so far (<c>READY=1</c>, <c>STATUS=…</c>), oldest first.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (gate)
            {
                return [.. lines];
            }
        }
    }

    public int NotifyCount { get; private set; }

    public void Notify(ServiceState state)
    {
        lock (gate)
        {
            NotifyCount++;
            lines.AddRange(state.ToString().Split('\n'));
        }
    }
}
