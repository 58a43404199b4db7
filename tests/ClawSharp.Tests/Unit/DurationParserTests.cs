using ClawSharp.Cli.Parsing;

namespace ClawSharp.Tests.Unit;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1500", 1_500)]
    [InlineData("0", 0)]
    [InlineData(" 2S ", 2_000)]
    public void Parses_TheAcceptedForms(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ms")]
    [InlineData("-5s")]
    [InlineData("5 minutes")]
    [InlineData("5d")]
    [InlineData("1e400")]
    [InlineData("NaN")]
    [InlineData("nans")]
    [InlineData("Infinity")]
    [InlineData("infinityms")]
    public void Refuses_AnythingElse(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }
}
