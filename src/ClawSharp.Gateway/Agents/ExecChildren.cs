using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Storage;
using Microsoft.Data.Sqlite;

namespace ClawSharp.Gateway.Agents;

/// <summary>
/// The running exec children of this gateway, recorded in the store (<c>exec_children</c>)
/// while they run: a gateway killed with -9 cannot end them, so the next start does
/// (<c>Work/ExecChildReaper</c>). Without a store (unit tests) nothing is recorded.
/// </summary>
internal sealed class ExecChildren(GatewayStore? store)
{
    public static ExecChildren None { get; } = new(null);

    /// <summary>Records a started child; null when nothing could be recorded.</summary>
    public long? Started(string kind, string ownerId, ProcessIdentity leader)
    {
        try
        {
            return store?.RecordChild(kind, ownerId, leader.Pid, leader.StartTime, Environment.ProcessId);
        }
        catch (Exception e) when (e is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            // The generation is closing: the child is ended by its own run's cancellation.
            return null;
        }
    }

    /// <summary>Forgets a child whose session has been ended.</summary>
    public void Ended(long? id)
    {
        if (id is not { } row || store is null)
        {
            return;
        }
        try
        {
            store.ForgetChild(row);
        }
        catch (Exception e) when (e is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            // Left in the table: the next start finds its session empty and forgets it then.
        }
    }
}
