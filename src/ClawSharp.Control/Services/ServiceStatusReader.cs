using ClawSharp.Daemon;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Control.Services;

/// <summary>Reads the installed service for <c>gateway status</c>: the record, the manager's view, the drift. Null when none is installed.</summary>
internal static class ServiceStatusReader
{
    public static async Task<ServiceStatus?> ReadAsync(StateDirectory state, DaemonSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (ServiceRecordStore.Read(state) is not { } record)
        {
            return null;
        }
        ServiceView view;
        try
        {
            view = await ServicePlatforms.Control(record.Platform).ViewAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceCommandException e)
        {
            view = new ServiceView(record.Platform.ToString().ToLowerInvariant(), false, false, false, null, null, e.Message, new Dictionary<string, string>());
        }
        var running = snapshot.Gateway is { } owner ? Status.ProcessExecutable.Of(owner.Pid) : null;
        return new ServiceStatus(record, view, ServiceStatus.FindDrift(view, running, Status.BinaryIdentity.Cli.Path!));
    }
}
