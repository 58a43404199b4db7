using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.Unit;

public sealed class StateDirectoryTests
{
    private static readonly string UserHome = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [Fact]
    public void Resolve_PrefersHome_ThenProfile_ThenEnvironment_ThenDefault()
    {
        string? Env(string name) => name == "CLAWSHARP_HOME" ? "/srv/claw" : null;

        Assert.Equal("/tmp/x", StateDirectory.Resolve("/tmp/x", null, Env).Root);
        Assert.Equal(Path.Combine(UserHome, ".clawsharp-work"), StateDirectory.Resolve(null, "work", Env).Root);
        Assert.Equal("/srv/claw", StateDirectory.Resolve(null, null, Env).Root);
        Assert.Equal(Path.Combine(UserHome, ".clawsharp"), StateDirectory.Resolve(null, null, _ => null).Root);
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Resolve_RefusesUnsafeProfileNames(string profile)
    {
        Assert.Throws<ArgumentException>(() => StateDirectory.Resolve(null, profile, _ => null));
    }

    [Fact]
    public void Resolve_RefusesHomeAndProfileTogether()
    {
        Assert.Throws<ArgumentException>(() => StateDirectory.Resolve("/tmp/x", "p", _ => null));
    }

    [Fact]
    public void EnsureCreated_MakesTheDirectoryPrivate_EvenIfItExistedLooser()
    {
        using var home = new TempHome();
        File.SetUnixFileMode(home.Root, (UnixFileMode)0b111_101_101);

        home.State.EnsureCreated();

        Assert.Equal(StateDirectory.PrivateDirectoryMode, File.GetUnixFileMode(home.Root));
    }
}
