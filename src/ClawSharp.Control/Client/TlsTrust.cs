using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClawSharp.Control.Client;

/// <summary>
/// Which server certificates a <c>wss://</c> connection accepts. Without a file: the system's
/// trust store (the default). With a PEM file (<c>--tls-ca FILE</c>, or the home's own
/// <c>gateway.tls.certificateFile</c> for the home's gateway): a server certificate that is one
/// of the file's certificates (pinned: the name need not match, it is that very certificate), or
/// one that chains to a certificate of the file and names the host.
/// </summary>
internal static class TlsTrust
{
    /// <exception cref="ArgumentException">The file cannot be read or holds no certificate.</exception>
    public static RemoteCertificateValidationCallback From(string pemFile)
    {
        var trusted = new X509Certificate2Collection();
        try
        {
            trusted.ImportFromPemFile(pemFile);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read the TLS certificate file {pemFile}: {e.Message}");
        }
        if (trusted.Count == 0)
        {
            throw new ArgumentException($"the TLS certificate file {pemFile} holds no PEM certificate");
        }
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }
            if (certificate is null)
            {
                return false;
            }
            using var server = new X509Certificate2(certificate);
            if (trusted.Any(t => t.RawDataMemory.Span.SequenceEqual(server.RawDataMemory.Span)))
            {
                return true;
            }
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(server);
        };
    }
}
