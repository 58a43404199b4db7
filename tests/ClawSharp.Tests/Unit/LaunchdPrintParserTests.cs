using ClawSharp.Control.Services.Launchd;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// <c>launchctl print</c> output. launchd cannot run here: the samples are written after the
/// output of macOS 13/14 (layout, key names and the nested blocks as launchctl prints them), not
/// captured on a Mac.
/// </summary>
public sealed class LaunchdPrintParserTests
{
    private const string Running = """
        gui/501/ai.clawsharp.gateway = {
        	active count = 1
        	path = /Users/ada/Library/LaunchAgents/ai.clawsharp.gateway.plist
        	type = LaunchAgent
        	state = running

        	program = /usr/local/bin/clawsharp
        	arguments = {
        		/usr/local/bin/clawsharp
        		gateway
        		run
        	}

        	stdout path = /Users/ada/.clawsharp/logs/service.log
        	stderr path = /Users/ada/.clawsharp/logs/service.log
        	default environment = {
        		PATH => /usr/bin:/bin:/usr/sbin:/sbin
        	}

        	environment = {
        		CLAWSHARP_SUPERVISOR => launchd
        		XPC_SERVICE_NAME => ai.clawsharp.gateway
        	}

        	domain = gui/501 [100005]
        	asid = 100005
        	minimum runtime = 1
        	exit timeout = 30
        	runs = 3
        	pid = 4242
        	immediate reason = speculative
        	forks = 0
        	execs = 1
        	last exit code = 75

        	spawn type = daemon (3)
        	properties = keepalive | runatload | inferred program
        }
        """;

    private const string NeverExitedWithNestedState = """
        gui/501/ai.clawsharp.gateway.work = {
        	state = spawn scheduled
        	domain = {
        		state = active
        		pid = 1
        	}
        	runs = 0
        	last exit code = (never exited)
        }
        """;

    [Fact]
    public void ARunningJob_GivesItsStatePidRunsAndLastExit()
    {
        var status = LaunchdPrintParser.Parse(Running);

        Assert.Equal(new LaunchdJobStatus(true, "running", 4242, 75, 3), status);
        Assert.True(status.Running);
    }

    [Fact]
    public void NestedBlocks_NeverAnswerForTheJob_AndNeverExitedIsNoExitCode()
    {
        var status = LaunchdPrintParser.Parse(NeverExitedWithNestedState);

        Assert.Equal(new LaunchdJobStatus(true, "spawn scheduled", null, null, 0), status);
        Assert.False(status.Running);
    }

    [Fact]
    public void AStoppedJob_KeepsItsLastExitCode_EvenANegativeOne()
    {
        var status = LaunchdPrintParser.Parse("gui/501/x = {\n\tstate = not running\n\truns = 2\n\tlast exit code = -15\n}\n");

        Assert.Equal(new LaunchdJobStatus(true, "not running", null, -15, 2), status);
    }
}
