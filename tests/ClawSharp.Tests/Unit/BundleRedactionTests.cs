using ClawSharp.Gateway.Diagnostics;

namespace ClawSharp.Tests.Unit;

public sealed class BundleRedactionTests
{
    [Theory]
    [InlineData("clawsharp gateway run --token s3cret --port 1", "clawsharp gateway run --token [redacted] --port 1")]
    [InlineData("clawsharp gateway run --token=s3cret", "clawsharp gateway run --token=[redacted]")]
    [InlineData("clawsharp gateway run", "clawsharp gateway run")]
    public void CommandLinesInBundles_NeverCarryTheToken(string commandLine, string expected)
    {
        Assert.Equal(expected, StabilityBundleWriter.Redact(commandLine));
    }
}
