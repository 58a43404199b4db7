using System.Text;
using ClawSharp.Gateway.Agents;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Tests.Unit;

/// <summary>The bounded capture of a child's output and the allowlisted environment, over many chunk shapes.</summary>
public sealed class ExecChildLimitsTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(10, 7)]
    [InlineData(10, 10)]
    [InlineData(10, 25)]
    [InlineData(1024, 100)]
    [InlineData(20000, 16384)]
    public void Capture_KeepsExactlyTheFirstOrLastBytes_WhateverTheChunks(int limit, int chunkSize)
    {
        var all = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => (char)('a' + (i % 26)))));
        foreach (var keepLast in new[] { true, false })
        {
            var capture = new OutputCapture(limit, keepLast);
            for (var at = 0; at < all.Length; at += chunkSize)
            {
                capture.Append(all.AsSpan(at, Math.Min(chunkSize, all.Length - at)));
            }

            var result = capture.Result();

            var kept = Math.Min(limit, all.Length);
            var expected = keepLast ? all[^kept..] : all[..kept];
            Assert.Equal(Encoding.ASCII.GetString(expected), result.Text);
            Assert.Equal(all.Length, result.TotalBytes);
            Assert.Equal(all.Length > limit, result.Truncated);
        }
    }

    [Fact]
    public void Capture_NeverLeavesHalfACharacterAtTheCut()
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("é€", 100)));
        for (var limit = 5; limit < 12; limit++)
        {
            foreach (var keepLast in new[] { true, false })
            {
                var capture = new OutputCapture(limit, keepLast);
                capture.Append(text);
                Assert.DoesNotContain('\uFFFD', capture.Result().Text);
            }
        }
    }

    [Fact]
    public void Environment_PassesTheAllowlistAndPrefixes_NeverTheSecrets()
    {
        var environment = new ChildEnvironment(["PATH", "LC_*", "OPENAI_API_KEY", "CLAWSHARP_TOKEN"],
            ["OPENAI_API_KEY", .. ChildEnvironment.GatewaySecrets]);
        var current = new Dictionary<string, string>
        {
            ["PATH"] = "/bin",
            ["LC_ALL"] = "C",
            ["OPENAI_API_KEY"] = "sk",
            ["CLAWSHARP_TOKEN"] = "t",
            ["AWS_SECRET_ACCESS_KEY"] = "aws",
            ["CLAWSHARP_HOME"] = "/h",
        };

        var child = environment.For(current, new Dictionary<string, string> { ["CLAWSHARP_TASK_ID"] = "task_1" });

        Assert.Equal(["CLAWSHARP_HOME", "CLAWSHARP_TASK_ID", "LC_ALL", "PATH"], child.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(AgentOptions.DefaultChildEnvironment, new TaskOptions().Environment);
    }
}
