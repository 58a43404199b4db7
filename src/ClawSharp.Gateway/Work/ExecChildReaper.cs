using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Storage;
using Microsoft.Extensions.Logging;

namespace ClawSharp.Gateway.Work;

/// <summary>
/// At start, ends the exec children a previous gateway left running (it was killed with -9,
/// or its close was cut short): every session recorded in <c>exec_children</c> is killed,
/// member by member, unless its leader's PID now names another process (checked by start
/// time: a reused PID is never signalled). Then the row is forgotten.
/// </summary>
internal static class ExecChildReaper
{
    public static void Reap(GatewayStore store, ILogger logger)
    {
        foreach (var child in store.ListChildren())
        {
            End(store, child, logger);
        }
    }

    /// <summary>
    /// What the built-in supervisor does once its gateway has exited (a kill -9 included): ends
    /// the children that gateway recorded, without waiting for the next start. Returns how many
    /// processes were ended; nothing when there is no store yet.
    /// </summary>
    public static int ReapOf(string storeFile, int gatewayPid, TimeProvider time)
    {
        if (!File.Exists(storeFile))
        {
            return 0;
        }
        using var store = GatewayStore.Open(storeFile, time);
        var ended = 0;
        foreach (var child in store.ListChildren().Where(c => c.GatewayPid == gatewayPid))
        {
            ended += End(store, child, logger: null);
        }
        return ended;
    }

    private static int End(GatewayStore store, ExecChildRecord child, ILogger? logger)
    {
        {
            var leader = new ProcessIdentity(child.Pid, child.StartTime);
            var members = ChildSessions.Members(leader).Count;
            if (!ChildSessions.Kill(leader))
            {
                if (logger is not null)
                {
                    WorkLog.LeftoverChildSurvived(logger, child.Kind, child.OwnerId, child.Pid);
                }
                return members;
            }
            if (members > 0 && logger is not null)
            {
                WorkLog.LeftoverChildKilled(logger, members, child.Kind, child.OwnerId, child.GatewayPid, child.Pid);
            }
            store.ForgetChild(child.Id);
            return members;
        }
    }
}
