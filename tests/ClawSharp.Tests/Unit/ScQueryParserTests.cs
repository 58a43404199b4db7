using ClawSharp.Control.Services.Windows;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// <c>sc.exe queryex</c> output. Windows cannot run here: the samples follow the layout sc.exe
/// prints (Windows 10/11, CRLF line ends), written by hand rather than captured.
/// </summary>
public sealed class ScQueryParserTests
{
    private const string Running = "\r\nSERVICE_NAME: ClawSharpGateway \r\n        TYPE               : 10  WIN32_OWN_PROCESS  \r\n"
        + "        STATE              : 4  RUNNING \r\n                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\r\n"
        + "        WIN32_EXIT_CODE    : 0  (0x0)\r\n        SERVICE_EXIT_CODE  : 0  (0x0)\r\n        CHECKPOINT         : 0x0\r\n"
        + "        WAIT_HINT          : 0x0\r\n        PID                : 4242\r\n        FLAGS              : \r\n";

    private const string StoppedAfterAFailure = "\r\nSERVICE_NAME: ClawSharpGateway-work \r\n        TYPE               : 10  WIN32_OWN_PROCESS  \r\n"
        + "        STATE              : 1  STOPPED \r\n        WIN32_EXIT_CODE    : 1066  (0x42a)\r\n        SERVICE_EXIT_CODE  : 1  (0x1)\r\n"
        + "        CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x0\r\n        PID                : 0\r\n        FLAGS              : \r\n";

    [Fact]
    public void ARunningService_GivesItsStateAndPid()
    {
        var status = ScQueryParser.Parse(Running);

        Assert.Equal(new WindowsServiceStatus(true, "RUNNING", 4242, 0, 0), status);
        Assert.True(status.Running);
    }

    [Fact]
    public void AStoppedService_HasNoPid_AndKeepsItsExitCodes()
    {
        var status = ScQueryParser.Parse(StoppedAfterAFailure);

        Assert.Equal(new WindowsServiceStatus(true, "STOPPED", null, 1066, 1), status);
        Assert.False(status.Running);
    }
}
