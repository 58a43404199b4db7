using System.Diagnostics;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Respawn;

/// <summary>
/// What differs when a restart starts a supervisor rather than a copy of the gateway
/// (<c>RestartMode.SpawnSupervisor</c>: the built-in supervisor that started this gateway has
/// died): its command line, and how one that never got ready is stopped.
/// </summary>
internal static class SupervisorRespawn
{
    private static readonly TimeSpan GroupPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The supervisor's command for a gateway started as <c>gateway run ARGS</c>: <c>gateway supervise ARGS</c>,
    /// as <c>gateway start</c> launches it (its gateways get <c>gateway run ARGS</c> again); null when the
    /// arguments hold no <c>gateway run</c>.
    /// </summary>
    public static IReadOnlyList<string>? Arguments(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i + 1 < arguments.Count; i++)
        {
            if (arguments[i] == "gateway" && arguments[i + 1] == "run")
            {
                return [.. arguments.Take(i), "gateway", "supervise", .. arguments.Skip(i + 2)];
            }
        }
        return null;
    }

    /// <summary>
    /// Stops a supervisor that did not become ready as <c>gateway stop</c> would: SIGTERM (it stops
    /// its gateway first); still there after <paramref name="wait"/>, its whole session goes with
    /// SIGKILL (it leads a session of its own once detached, its gateway inside), until none is
    /// left or another <paramref name="wait"/> passed. Afterwards no gateway of it holds the lock
    /// the caller takes back. Only while <paramref name="identity"/> is still that process.
    /// </summary>
    public static async Task StopAsync(Process supervisor, ProcessIdentity? identity, TimeSpan wait, TimeProvider time)
    {
        if (supervisor.HasExited || identity is null || ProcessIdentity.Check(identity.Pid, identity.StartTime) != ProcessMatch.Same)
        {
            return;
        }
        Posix.Kill(identity.Pid, Posix.SIGTERM);
        if (await ProcessIdentity.WaitForExitAsync([identity], wait, time).ConfigureAwait(false))
        {
            return;
        }
        // A group id stays taken while any member lives (the kernel allocates no PID still in use as one), so
        // this reaches only the supervisor's session; once it is empty the kill fails and the loop ends.
        var deadline = time.GetUtcNow() + wait;
        while (Posix.KillGroup(identity.Pid) && time.GetUtcNow() < deadline)
        {
            await Task.Delay(GroupPoll, time).ConfigureAwait(false);
        }
    }
}
