using ClawSharp.Gateway.Diagnostics;

namespace ClawSharp.Tests.Unit;

public sealed class BundleRedactionTests
{
    [Theory]
    [InlineData("clawsharp gateway run --token s3cret --port 1", "clawsharp gateway run --token [redacted] --port 1")]
    [InlineData("clawsharp gateway run --token=s3cret", "clawsharp gateway run --token=[redacted]")]
    [InlineData("clawsharp gateway run --token:s3cret", "clawsharp gateway run --token:[redacted]")]
    [InlineData("clawsharp gateway run --password s3cret --password=s3cret --password:s3cret", "clawsharp gateway run --password [redacted] --password=[redacted] --password:[redacted]")]
    [InlineData("env CLAWSHARP_TOKEN=s3cret OPENAI_API_KEY=sk-s3cret my_password=s3cret clawsharp", "env CLAWSHARP_TOKEN=[redacted] OPENAI_API_KEY=[redacted] my_password=[redacted] clawsharp")]
    [InlineData("clawsharp gateway run --token-file /home/me/token --password-file /p", "clawsharp gateway run --token-file /home/me/token --password-file /p")]
    [InlineData("clawsharp gateway run", "clawsharp gateway run")]
    public void CommandLinesInBundles_NeverCarryTheToken(string commandLine, string expected)
    {
        Assert.Equal(expected, StabilityBundleWriter.Redact(commandLine));
    }
}
