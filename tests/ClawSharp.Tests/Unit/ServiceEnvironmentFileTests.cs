using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

public sealed class ServiceEnvironmentFileTests : IDisposable
{
    private readonly TempHome home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public void Parse_SkipsCommentsAndBlankLines_AndUnquotesValues()
    {
        var text = "# secrets for the gateway\n\nOPENAI_API_KEY=sk-1=2\r\n  QUOTED = \"a value # not a comment\"  \nEMPTY=\n_UNDER_1=\"\"\n";

        var variables = ServiceEnvironmentFile.Parse(text, "/env");

        Assert.Equal(
            [
                new("OPENAI_API_KEY", "sk-1=2"),
                new("QUOTED", "a value # not a comment"),
                new("EMPTY", ""),
                new("_UNDER_1", ""),
            ],
            variables);
    }

    [Theory]
    [InlineData("A=1\nsekrit without a key\n", 2)]
    [InlineData("A=1\n\n# c\n=sekrit\n", 4)]
    [InlineData("1ABC=sekrit", 1)]
    [InlineData("A-B=sekrit", 1)]
    [InlineData("A=1\nB=\"sekrit", 2)]
    [InlineData("B=\"", 1)]
    public void Parse_OfAMalformedLine_NamesItsNumber_ButNotItsContent(string text, int line)
    {
        var error = Assert.Throws<ConfigException>(() => ServiceEnvironmentFile.Parse(text, "/srv/env"));

        Assert.StartsWith($"the environment file /srv/env (CLAWSHARP_ENV_FILE), line {line}: ", error.Message);
        Assert.DoesNotContain("sekrit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_OfAPrivateFile_ReturnsItsVariables()
    {
        var path = Write("KEY=value\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal([new("KEY", "value")], ServiceEnvironmentFile.Read(path));
    }

    [Theory]
    [InlineData(0b110_100_100, "0644")]
    [InlineData(0b110_110_000, "0660")]
    [InlineData(0b110_000_010, "0602")]
    public void Read_OfAFileOthersMayRead_IsRefused_NamingTheModeAndTheFix(int mode, string octal)
    {
        var path = Write("KEY=value\n", (UnixFileMode)mode);

        var error = Assert.Throws<ConfigException>(() => ServiceEnvironmentFile.Read(path));

        Assert.Equal(
            $"the environment file {path} (CLAWSHARP_ENV_FILE) has mode {octal}: it holds secrets, so group and others must have no access; fix: chmod 600 {path}",
            error.Message);
    }

    [Fact]
    public void Read_OfAMissingFile_SaysWhichFile()
    {
        var path = home.PathOf("absent.env");

        var error = Assert.Throws<ConfigException>(() => ServiceEnvironmentFile.Read(path));

        Assert.Equal($"the environment file {path} (CLAWSHARP_ENV_FILE) does not exist; create it with mode 600, or unset CLAWSHARP_ENV_FILE", error.Message);
    }

    private string Write(string text, UnixFileMode mode)
    {
        var path = home.PathOf("service.env");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
