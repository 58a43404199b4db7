using System.Text.RegularExpressions;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace ClawSharp.Tests.Release;

/// <summary>
/// The container and cluster files, on paper: no Docker engine or cluster runs here, so the
/// Kubernetes manifest is parsed (YamlDotNet) and its fields checked against the gateway's own
/// defaults, the Dockerfile's instructions are checked line by line, and its HEALTHCHECK command
/// is run against a real gateway.
/// </summary>
public sealed partial class DeployFilesTests
{
    private const int GatewayPort = 18790;
    private static readonly string Manifest = Path.Combine(TestPaths.RepoRoot, "deploy", "kubernetes", "clawsharp.yaml");
    private static readonly string DockerfilePath = Path.Combine(TestPaths.RepoRoot, "Dockerfile");

    [Fact]
    public void Manifest_RunsOneReplica_RecreatedNotRolled_BecauseTheStoreIsLocal()
    {
        var deployment = Document("Deployment");

        Assert.Equal("1", Scalar(deployment, "spec", "replicas"));
        Assert.Equal("Recreate", Scalar(deployment, "spec", "strategy", "type"));
        var pvc = Document("PersistentVolumeClaim");
        Assert.Equal(["ReadWriteOnce"], Sequence(pvc, "spec", "accessModes").Select(n => ((YamlScalarNode)n).Value!));
    }

    [Fact]
    public void Manifest_GivesTheStopMoreTimeThanTheGatewaysDrainAndCloseBudgets()
    {
        var pod = PodSpec();
        var grace = TimeSpan.FromSeconds(int.Parse(Scalar(pod, "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture));

        var stop = new ShutdownBudget(new ShutdownOptions()).Stop;
        Assert.Equal(TimeSpan.FromSeconds(35), stop);  // drain 10 s + close 25 s, the defaults the comment explains
        Assert.True(grace > stop, $"terminationGracePeriodSeconds {grace.TotalSeconds} must exceed the stop budget {stop.TotalSeconds} s");
        Assert.True(grace >= stop + ShutdownBudget.SupervisorMargin, "the gateway's watchdog must get its margin before the kubelet's SIGKILL");
    }

    [Fact]
    public void Manifest_ProbesReadinessOnReadyz_AndLivenessOnHealthz_OnTheGatewayPort()
    {
        var gateway = Container("containers", "gateway");

        Assert.Equal(GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(Only(Sequence(gateway, "ports")), "containerPort"));
        Assert.Equal("/readyz", Scalar(gateway, "readinessProbe", "httpGet", "path"));
        Assert.Equal("gateway", Scalar(gateway, "readinessProbe", "httpGet", "port"));
        Assert.Equal("/healthz", Scalar(gateway, "livenessProbe", "httpGet", "path"));
        Assert.Equal("gateway", Scalar(gateway, "livenessProbe", "httpGet", "port"));
        Assert.Equal("gateway", Scalar(Only(Sequence(gateway, "ports")), "name"));
        var service = Document("Service");
        var servicePort = Only(Sequence(service, "spec", "ports"));
        Assert.Equal("18790", Scalar(servicePort, "port"));
        Assert.Equal("gateway", Scalar(servicePort, "targetPort"));
        Assert.Equal(Scalar(PodTemplate(), "metadata", "labels", "app.kubernetes.io/name"), Scalar(service, "spec", "selector", "app.kubernetes.io/name"));
    }

    [Fact]
    public void Manifest_RunsAsNonRoot_OnAReadOnlyRootFilesystem()
    {
        var pod = PodSpec();

        Assert.Equal("true", Scalar(pod, "securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", Scalar(pod, "securityContext", "runAsUser"));
        foreach (var container in Sequence(pod, "initContainers").Concat(Sequence(pod, "containers")))
        {
            Assert.Equal("true", Scalar(container, "securityContext", "readOnlyRootFilesystem"));
            Assert.Equal("false", Scalar(container, "securityContext", "allowPrivilegeEscalation"));
        }
    }

    [Fact]
    public void Manifest_KeepsTheStateOnTheClaim_AndTheStateDirectoryInsideIt()
    {
        var pod = PodSpec();
        var gateway = Container("containers", "gateway");

        var stateVolume = Named(Sequence(pod, "volumes"), "state");
        Assert.Equal(Scalar(Document("PersistentVolumeClaim"), "metadata", "name"), Scalar(stateVolume, "persistentVolumeClaim", "claimName"));
        var mount = Scalar(Named(Sequence(gateway, "volumeMounts"), "state"), "mountPath");
        var home = Env(gateway, "CLAWSHARP_HOME");
        Assert.StartsWith(mount + "/", home, StringComparison.Ordinal);
        Assert.Equal("1", Env(gateway, "CLAWSHARP_NO_RESPAWN"));  // a fresh-PID respawn would end the container
    }

    [Fact]
    public void Manifest_TakesTheTokenFromASecret_IntoTheTokenFile_NeverOntoACommandLine()
    {
        var pod = PodSpec();
        var init = Container("initContainers", "token");
        var gateway = Container("containers", "gateway");

        var secret = Named(Sequence(pod, "volumes"), "token");
        Assert.Equal("clawsharp-token", Scalar(secret, "secret", "secretName"));
        Assert.Equal("token", Scalar(Only(Sequence(secret, "secret", "items")), "key"));
        var secretMount = Scalar(Named(Sequence(init, "volumeMounts"), "token"), "mountPath");
        Assert.Equal(Env(gateway, "CLAWSHARP_HOME"), Env(init, "CLAWSHARP_HOME"));
        var script = Sequence(init, "command").Select(n => ((YamlScalarNode)n).Value!).Last();
        Assert.Contains($"cp {secretMount}/token \"$CLAWSHARP_HOME/token.new\"", script, StringComparison.Ordinal);
        Assert.Contains("mv -f \"$CLAWSHARP_HOME/token.new\" \"$CLAWSHARP_HOME/token\"", script, StringComparison.Ordinal);
        Assert.Contains("umask 077", script, StringComparison.Ordinal);
        // The gateway itself never sees the Secret: no mount, no flag, no environment variable.
        Assert.DoesNotContain(Sequence(gateway, "volumeMounts"), m => Scalar(m, "name") == "token");
        Assert.False(((YamlMappingNode)gateway).Children.ContainsKey("args"));
        Assert.False(((YamlMappingNode)gateway).Children.ContainsKey("command"));
        Assert.DoesNotContain(File.ReadAllLines(Manifest).Where(l => !l.TrimStart().StartsWith('#')), l => l.Contains("--token", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerfile_BuildsTheAotBinaryInAnSdkStage_AndRunsItAsNonRootFromAPinnedSlimBase()
    {
        var lines = DockerfileInstructions();

        var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, froms.Count);
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/sdk:10\.0-noble AS build$", froms[0]);
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/runtime-deps:10\.0-noble AS runtime$", froms[1]);
        Assert.Contains(lines, l => l.StartsWith("RUN ", StringComparison.Ordinal) && l.Contains("clang", StringComparison.Ordinal) && l.Contains("zlib1g-dev", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal)
            && l.Contains("-r linux-x64", StringComparison.Ordinal) && l.Contains("-p:PublishAot=true", StringComparison.Ordinal));
        Assert.Contains("COPY --from=build /out/clawsharp /out/libe_sqlite3.so /usr/local/bin/", lines);
        var user = Assert.Single(lines, l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.Equal("USER 10001:10001", user);  // numeric, so that Kubernetes' runAsNonRoot can verify it
        Assert.Equal("10001", Scalar(PodSpec(), "securityContext", "runAsUser"));
    }

    [Fact]
    public void Dockerfile_DeclaresTheStateVolume_ThePort_TheStopSignal_TheHealthcheck_AndTheEntrypoint()
    {
        var lines = DockerfileInstructions();

        Assert.Contains("VOLUME [\"/var/lib/clawsharp\"]", lines);
        Assert.Contains(lines, l => l.StartsWith("ENV ", StringComparison.Ordinal) && l.Contains("CLAWSHARP_HOME=/var/lib/clawsharp ", StringComparison.Ordinal)
            && l.Contains("CLAWSHARP_NO_RESPAWN=1", StringComparison.Ordinal));
        Assert.Contains($"EXPOSE {GatewayPort}", lines);
        Assert.Contains("STOPSIGNAL SIGTERM", lines);
        Assert.Contains("ENTRYPOINT [\"tini\", \"--\", \"clawsharp\", \"gateway\", \"run\", \"--bind\", \"0.0.0.0\"]", lines);
        var healthcheck = Assert.Single(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.Contains($"/dev/tcp/127.0.0.1/{GatewayPort}", healthcheck, StringComparison.Ordinal);
        Assert.Contains("GET /healthz", healthcheck, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("--token", StringComparison.Ordinal));
        var ignore = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, ".dockerignore"));
        Assert.Contains("artifacts/", ignore);
        Assert.DoesNotContain(ignore, l => l.TrimEnd('/') is "src" or "global.json" or "Directory.Build.props" or "Directory.Packages.props");
    }

    [Fact]
    public async Task DockerfileHealthcheck_PassesOnALiveGateway_AndFailsWhenNothingListens()
    {
        var probe = HealthcheckScript();
        using var home = new TempHome();
        int port;
        CliResult healthy;
        await using (var gateway = await GatewayProcess.StartGatewayAsync(home, ["--bind", "0.0.0.0"]))
        {
            port = gateway.Port;
            healthy = await ScriptRun.RunAsync("bash", ["-c", probe.Replace($"/{GatewayPort}", $"/{port}", StringComparison.Ordinal)]);
        }
        var down = await ScriptRun.RunAsync("bash", ["-c", probe.Replace($"/{GatewayPort}", $"/{port}", StringComparison.Ordinal)]);

        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        Assert.NotEqual(0, down.ExitCode);
    }

    /// <summary>The shell command of the HEALTHCHECK's exec form, JSON-unescaped as Docker reads it.</summary>
    private static string HealthcheckScript()
    {
        var healthcheck = Assert.Single(DockerfileInstructions(), l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        var json = healthcheck[healthcheck.IndexOf("CMD [", StringComparison.Ordinal)..][4..];
        var command = System.Text.Json.JsonSerializer.Deserialize<string[]>(json)!;
        Assert.Equal(["bash", "-c"], command[..2]);
        return command[2];
    }

    /// <summary>The Dockerfile's instructions, comments dropped and continuation lines joined.</summary>
    private static List<string> DockerfileInstructions()
    {
        var joined = ContinuationRegex().Replace(string.Join('\n', File.ReadAllLines(DockerfilePath).Where(l => !l.TrimStart().StartsWith('#'))), " ");
        return [.. joined.Split('\n').Select(l => SpacesRegex().Replace(l.Trim(), " ")).Where(l => l.Length > 0)];
    }

    [GeneratedRegex(@"\\\n\s*")]
    private static partial Regex ContinuationRegex();

    [GeneratedRegex(@" {2,}")]
    private static partial Regex SpacesRegex();

    private static List<YamlMappingNode> Documents()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Manifest))
        {
            stream.Load(reader);
        }
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlMappingNode Document(string kind) => Assert.Single(Documents(), d => Scalar(d, "kind") == kind);

    private static YamlNode PodTemplate() => Node(Document("Deployment"), "spec", "template");

    private static YamlNode PodSpec() => Node(PodTemplate(), "spec");

    private static YamlNode Container(string list, string name) => Named(Sequence(PodSpec(), list), name);

    private static string Env(YamlNode container, string name) => Scalar(Named(Sequence(container, "env"), name), "value");

    private static YamlNode Named(IEnumerable<YamlNode> items, string name) => Assert.Single(items, i => Scalar(i, "name") == name);

    private static YamlNode Only(IEnumerable<YamlNode> items) => Assert.Single(items);

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var mapping = Assert.IsType<YamlMappingNode>(node);
            Assert.True(mapping.Children.TryGetValue(new YamlScalarNode(key), out var child), $"no '{key}' in {string.Join('.', path)}");
            node = child;
        }
        return node;
    }

    private static string Scalar(YamlNode node, params string[] path) => Assert.IsType<YamlScalarNode>(Node(node, path)).Value!;

    private static IReadOnlyList<YamlNode> Sequence(YamlNode node, params string[] path) => [.. Assert.IsType<YamlSequenceNode>(Node(node, path)).Children];
}
