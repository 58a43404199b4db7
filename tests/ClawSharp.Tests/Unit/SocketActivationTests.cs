using System.Net;
using System.Net.Sockets;
using ClawSharp.Gateway.Claim;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Tests.Unit;

/// <summary>Reading systemd's socket activation variables (<c>sd_listen_fds(3)</c>), and adopting the socket they name.</summary>
public sealed class SocketActivationTests
{
    private const int Me = 4242;

    [Theory]
    [InlineData("4242", "1", null, 3, null)]
    [InlineData("4242", "2", null, 3, null)]
    [InlineData("4242", "1", "clawsharp", 3, "clawsharp")]
    // The one named clawsharp wins; else the first.
    [InlineData("4242", "3", "metrics:clawsharp:admin", 4, "clawsharp")]
    [InlineData("4242", "2", "metrics:admin", 3, "metrics")]
    // More names than descriptors (systemd-socket-activate allows it): a name past the count is not trusted.
    [InlineData("4242", "1", "other:clawsharp", 3, "other")]
    public void WellFormedVariablesForThisProcess_NameTheDescriptor(string pid, string fds, string? names, int descriptor, string? name)
    {
        var environment = Environment(pid, fds, names);

        var activation = SocketActivation.TakeFromEnvironment(key => environment.GetValueOrDefault(key), key => environment.Remove(key), Me);

        Assert.Equal(descriptor, activation?.Descriptor);
        Assert.Equal(name, activation!.Name);
        Assert.Equal(int.Parse(fds, System.Globalization.CultureInfo.InvariantCulture), activation.Count);
    }

    [Theory]
    [InlineData("4243", "1")] // for another process (our parent, before it exec'd someone else)
    [InlineData(null, "1")]
    [InlineData("4242", "0")]
    [InlineData("4242", null)]
    [InlineData("4242", "")]
    [InlineData("4242", "one")]
    [InlineData("4242", "-1")]
    [InlineData("4242", " 1")]
    [InlineData("4242", "99999999999")]
    [InlineData("pid", "1")]
    [InlineData("", "1")]
    public void VariablesForAnotherProcess_NoDescriptor_OrGarbage_AreIgnored_AndStillCleared(string? pid, string? fds)
    {
        var environment = Environment(pid, fds, "clawsharp");

        var activation = SocketActivation.TakeFromEnvironment(key => environment.GetValueOrDefault(key), key => environment.Remove(key), Me);

        Assert.Null(activation);
        Assert.Empty(environment);
    }

    [Fact]
    public void TheVariables_AreClearedWhenUsed_SoChildrenNeverSeeThem()
    {
        var environment = Environment("4242", "1", "clawsharp");

        Assert.NotNull(SocketActivation.TakeFromEnvironment(key => environment.GetValueOrDefault(key), key => environment.Remove(key), Me));

        Assert.Empty(environment);
    }

    [Fact]
    public void APassedListeningSocket_ServingTheConfiguration_IsAdopted()
    {
        using var passed = Listening(out var port);
        var descriptor = Posix.DuplicateInheritable((int)passed.SafeHandle.DangerousGetHandle(), 300);

        using var adopted = ListenSocket.TryAdopt(new SocketActivation(descriptor, "clawsharp", 1), IPAddress.Loopback, port, out var problem);

        Assert.Null(problem);
        Assert.NotNull(adopted);
        Assert.True(adopted.Activated);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), adopted.Endpoint);
    }

    [Fact]
    public void APassedSocketOnAnotherPort_IsRefused_NamingBothEndpoints()
    {
        using var passed = Listening(out var port);
        var descriptor = Posix.DuplicateInheritable((int)passed.SafeHandle.DangerousGetHandle(), 300);
        var configured = port == 65535 ? 65534 : port + 1;

        var adopted = ListenSocket.TryAdopt(new SocketActivation(descriptor, null, 1), IPAddress.Loopback, configured, out var problem);

        Assert.Null(adopted);
        Assert.Equal($"it is bound to 127.0.0.1:{port} but the configuration asks for 127.0.0.1:{configured}", problem);
        Assert.False(Posix.IsOpen(descriptor));
    }

    [Fact]
    public void APassedSocketThatDoesNotListen_IsRefused()
    {
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var descriptor = Posix.DuplicateInheritable((int)bound.SafeHandle.DangerousGetHandle(), 300);

        Assert.Null(ListenSocket.TryAdopt(new SocketActivation(descriptor, null, 1), IPAddress.Loopback, 0, out var problem));
        Assert.Equal("it is not a listening TCP socket", problem);
    }

    private static Socket Listening(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    private static Dictionary<string, string> Environment(string? pid, string? fds, string? names)
    {
        var environment = new Dictionary<string, string>();
        if (pid is not null)
        {
            environment[SocketActivation.ListenPidVariable] = pid;
        }
        if (fds is not null)
        {
            environment[SocketActivation.ListenFdsVariable] = fds;
        }
        if (names is not null)
        {
            environment[SocketActivation.ListenFdNamesVariable] = names;
        }
        return environment;
    }
}
