using ClawSharp.Control.Status;
using ClawSharp.Gateway;

namespace ClawSharp.Tests.Unit;

/// <summary>What a binary says it is (<c>--version</c>, <c>status</c>) and when the gateway and the CLI differ.</summary>
public sealed class BinaryIdentityTests
{
    private static readonly BinaryIdentity Installed = new("0.2.0", "1a2b3c4", "2026-11-20T10:00:00Z", "/usr/local/bin/clawsharp");

    [Fact]
    public void The_informational_version_splits_into_the_version_and_a_short_commit()
    {
        Assert.Equal(("0.2.0", "74d81ce"), GatewayVersion.Split("0.2.0+74d81cea984f0f488023fed4b9df73ee88268833"));
        Assert.Equal(("0.2.0", (string?)null), GatewayVersion.Split("0.2.0"));
    }

    [Fact]
    public void The_version_line_names_the_version_the_commit_and_the_build_date() =>
        Assert.Equal("clawsharp 0.2.0 (commit 1a2b3c4, built 2026-11-20T10:00:00Z)", Installed.Describe());

    [Fact]
    public void This_build_is_stamped_with_its_commit_and_build_date()
    {
        Assert.Matches("^[0-9a-f]{7}$", GatewayVersion.Commit);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}", GatewayVersion.BuildDate);
        Assert.StartsWith($"clawsharp {GatewayVersion.Current} (commit ", GatewayVersion.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_build_is_no_drift() =>
        Assert.Null(BinaryIdentity.Drift(Installed, Installed with { Path = "/home/me/clawsharp" }));

    [Fact]
    public void No_gateway_is_no_drift() => Assert.Null(BinaryIdentity.Drift(null, Installed));

    [Fact]
    public void Another_version_names_both_versions_and_both_binaries() =>
        Assert.Equal("the running gateway is 0.2.0 (/usr/local/bin/clawsharp), this CLI is 0.3.0 (/tmp/x/clawsharp)",
            BinaryIdentity.Drift(Installed, new BinaryIdentity("0.3.0", "9f8e7d6", null, "/tmp/x/clawsharp")));

    [Fact]
    public void The_same_version_from_another_commit_is_told_apart_by_commit() =>
        Assert.Equal("the running gateway is 0.2.0 (commit 1a2b3c4) (/usr/local/bin/clawsharp), this CLI is 0.2.0 (commit 9f8e7d6) (/tmp/x/clawsharp)",
            BinaryIdentity.Drift(Installed, Installed with { Commit = "9f8e7d6", Path = "/tmp/x/clawsharp" }));

    [Fact]
    public void A_gateway_that_did_not_say_its_commit_is_compared_by_version_only() =>
        Assert.Null(BinaryIdentity.Drift(Installed with { Commit = null, Path = null }, Installed));
}
