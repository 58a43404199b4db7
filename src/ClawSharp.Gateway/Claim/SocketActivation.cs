using System.Globalization;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Claim;

/// <summary>
/// The listening socket systemd passed this process (socket activation, <c>sd_listen_fds(3)</c>):
/// descriptors start at 3 (<c>SD_LISTEN_FDS_START</c>), <c>LISTEN_FDS</c> of them, for this
/// process only when <c>LISTEN_PID</c> is our PID. The one named <c>clawsharp</c>
/// (<c>FileDescriptorName=</c>) is used when the names are given and one matches, else the first.
/// systemd holds the socket itself, so it survives this process: <see cref="GatewayClaim"/>
/// never binds a socket of its own beside it.
/// </summary>
/// <param name="Descriptor">The descriptor to adopt.</param>
/// <param name="Name">Its name from <c>LISTEN_FDNAMES</c>, when given.</param>
/// <param name="Count">How many descriptors systemd passed.</param>
internal sealed record SocketActivation(int Descriptor, string? Name, int Count)
{
    public const string ListenPidVariable = "LISTEN_PID";
    public const string ListenFdsVariable = "LISTEN_FDS";
    public const string ListenFdNamesVariable = "LISTEN_FDNAMES";

    /// <summary><c>SD_LISTEN_FDS_START</c>.</summary>
    public const int FirstDescriptor = 3;

    /// <summary>The <c>FileDescriptorName=</c> preferred among several sockets.</summary>
    public const string PreferredName = "clawsharp";

    // More would be a garbage value, not a socket unit: a guard against overflowing the descriptor range.
    private const int MaxDescriptors = 4096;

    /// <summary>
    /// Reads and clears the three variables (always: whatever they say, our children must not see
    /// them, as <c>sd_listen_fds(1)</c> does). Null unless they are well formed, meant for
    /// <paramref name="processId"/> and pass at least one descriptor.
    /// </summary>
    public static SocketActivation? TakeFromEnvironment(Func<string, string?> getEnvironment, Action<string> clearEnvironment, int processId)
    {
        var pid = getEnvironment(ListenPidVariable);
        var fds = getEnvironment(ListenFdsVariable);
        var names = getEnvironment(ListenFdNamesVariable);
        clearEnvironment(ListenPidVariable);
        clearEnvironment(ListenFdsVariable);
        clearEnvironment(ListenFdNamesVariable);
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var listenPid) || listenPid != processId
            || !int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > MaxDescriptors)
        {
            return null;
        }
        var nameList = string.IsNullOrEmpty(names) ? [] : names.Split(':');
        var index = Array.IndexOf(nameList, PreferredName);
        if (index < 0 || index >= count)
        {
            index = 0;
        }
        return new SocketActivation(FirstDescriptor + index, index < nameList.Length ? nameList[index] : null, count);
    }

    /// <summary>
    /// Reads and clears the real process environment, and marks every passed descriptor
    /// close-on-exec (systemd passes them inheritable; our exec agents and respawns must not hold
    /// the port). Null on Windows and when this process was not socket-activated.
    /// </summary>
    public static SocketActivation? TakeFromProcessEnvironment()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        var activation = TakeFromEnvironment(Environment.GetEnvironmentVariable, name => Environment.SetEnvironmentVariable(name, null), Environment.ProcessId);
        for (var fd = FirstDescriptor; activation is not null && fd < FirstDescriptor + activation.Count; fd++)
        {
            if (Posix.IsOpen(fd))
            {
                Posix.SetCloseOnExec(fd);
            }
        }
        return activation;
    }

    /// <summary>"fd 3 (clawsharp)", for log lines.</summary>
    public string Describe() => Name is { Length: > 0 } name ? $"fd {Descriptor} ({name})" : $"fd {Descriptor}";
}
