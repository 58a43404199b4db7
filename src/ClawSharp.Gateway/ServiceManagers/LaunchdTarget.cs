using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.ServiceManagers;

/// <summary>
/// launchd's names for a job: a domain (<c>gui/501</c> for a user's LaunchAgents, <c>system</c>
/// for LaunchDaemons) and a service target (<c>gui/501/ai.clawsharp.gateway</c>), as
/// <c>launchctl bootstrap|bootout|kickstart|print</c> take them. Pure, apart from the uid lookup.
/// </summary>
internal static class LaunchdTarget
{
    public const string SystemDomain = "system";

    /// <summary><c>gui/&lt;uid&gt;</c>: the domain of a user's login session, where LaunchAgents run.</summary>
    public static string UserDomain(int uid) => $"gui/{uid}";

    /// <summary>The domain of this process's own job: <c>system</c> for root (a LaunchDaemon), else the user's <c>gui/&lt;uid&gt;</c>.</summary>
    /// <remarks>A LaunchDaemon with a <c>UserName</c> runs in the system domain as another user; such a job cannot kickstart itself anyway (only root may), so the guess costs nothing.</remarks>
    public static string OwnDomain()
    {
        var uid = (int)Posix.EffectiveUserId();
        return uid == 0 ? SystemDomain : UserDomain(uid);
    }

    /// <summary><c>&lt;domain&gt;/&lt;label&gt;</c>.</summary>
    public static string Service(string domain, string label) => $"{domain}/{label}";
}
