using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>Issue 21 item 10: the gateway serves wss:// with gateway.tls, and the CLI talks to it over TLS.</summary>
public sealed class TlsGatewayTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WithGatewayTls_TheGatewayServesWss_AndTheCliRoundTripsOverTls()
    {
        using var home = new TempHome();
        using var elsewhere = new TempHome();
        var (certificate, key) = WriteCertificate(home);
        home.WriteConfig($$"""{ "gateway": { "tls": { "certificateFile": "{{certificate}}", "keyFile": "{{key}}" } } }""");
        await using var gateway = GatewayProcess.Start(home, ["gateway", "run", "--port", "0"]);
        await gateway.Stdout.WaitForAsync("gateway ready on wss://127.0.0.1:", Deadline);
        var url = $"wss://127.0.0.1:{gateway.Port}";
        var tokenFile = Path.Combine(elsewhere.Root, "their-token");
        File.WriteAllText(tokenFile, TokenStore.TryRead(home.State));
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // The home's own gateway: wss:// found from the config, trusted by its own certificate.
        var own = await CliRun.RunAsync(home, "gateway", "call", "health");
        // Another home's CLI: explicit token, and the certificate to trust.
        var pinned = await CliRun.RunAsync(elsewhere, "gateway", "call", "health", "--url", url, "--token-file", tokenFile, "--tls-ca", certificate);
        var untrusted = await CliRun.RunAsync(elsewhere, "gateway", "call", "health", "--url", url, "--token-file", tokenFile);
        var plain = await CliRun.RunAsync(elsewhere, "gateway", "call", "health", "--url", $"ws://127.0.0.1:{gateway.Port}", "--token-file", tokenFile, "--timeout", "5s");

        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.True(pinned.ExitCode == 0, pinned.ToString());
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.NotEqual(0, plain.ExitCode);

        // A fresh-PID restart: the parent asks its successor's /readyz over TLS before handing over.
        gateway.Signal(Gateway.Infrastructure.Posix.SIGUSR1);
        Assert.Equal(0, await gateway.WaitForProcessExitAsync(Deadline));
        var successor = gateway.LiveLockOwner;
        Assert.True(successor is not null, gateway.AllOutput);
        var afterRestart = await CliRun.RunAsync(home, "gateway", "call", "health");
        Assert.True(afterRestart.ExitCode == 0, afterRestart.ToString());
        var stop = await CliRun.RunAsync(home, "gateway", "stop");
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains($"pid {successor.Pid}", stop.Stdout);
    }

    [Fact]
    public async Task ATlsKeyFileOthersCanRead_IsRefused_SayingHowToFixIt()
    {
        using var home = new TempHome();
        var (certificate, key) = WriteCertificate(home);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        home.WriteConfig($$"""{ "gateway": { "tls": { "certificateFile": "{{certificate}}", "keyFile": "{{key}}" } } }""");

        var run = await CliRun.RunAsync(home, "gateway", "run", "--port", "0");

        Assert.Equal(78, run.ExitCode);
        Assert.Contains($"chmod 600 {key}", run.Stderr);
    }

    private static (string Certificate, string Key) WriteCertificate(TempHome home)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=clawsharp-test", ecdsa, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificateFile = Path.Combine(home.Root, "tls.crt");
        var keyFile = Path.Combine(home.Root, "tls.key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, ecdsa.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (certificateFile, keyFile);
    }
}
