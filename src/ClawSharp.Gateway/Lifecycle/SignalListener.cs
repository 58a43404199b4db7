using System.Runtime.InteropServices;
using System.Threading.Channels;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Lifecycle;

/// <summary>
/// Turns process signals into run-loop commands: SIGTERM and SIGINT (Ctrl+C) stop, SIGUSR1
/// restarts. It owns SIGTERM itself rather than leaving it to the host's console lifetime,
/// because a SIGTERM with a restart intent present will mean restart, not stop.
/// </summary>
internal sealed class SignalListener : IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = [];

    public SignalListener(ChannelWriter<RunLoopCommand> commands)
    {
        Register(PosixSignal.SIGTERM, commands, () => new RunLoopCommand.StopRequested("SIGTERM"));
        Register(PosixSignal.SIGINT, commands, () => new RunLoopCommand.StopRequested("SIGINT"));
        if (!OperatingSystem.IsWindows())
        {
            Register((PosixSignal)Posix.SIGUSR1, commands, () => RunLoopCommand.RestartRequested.Signal("SIGUSR1"));
        }
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
        registrations.Clear();
    }

    private void Register(PosixSignal signal, ChannelWriter<RunLoopCommand> commands, Func<RunLoopCommand> create)
    {
        registrations.Add(PosixSignalRegistration.Create(signal, context =>
        {
            // Without Cancel the runtime's default action runs: termination (exit 138 for SIGUSR1).
            context.Cancel = true;
            commands.TryWrite(create());
        }));
    }
}
