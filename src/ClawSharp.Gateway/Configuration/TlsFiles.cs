using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClawSharp.Gateway.Configuration;

/// <summary>The gateway's TLS certificate and key, PEM files (config <c>gateway.tls.certificateFile</c>, <c>gateway.tls.keyFile</c>).</summary>
internal sealed record TlsFiles(string CertificateFile, string KeyFile)
{
    /// <summary>
    /// The certificate with its key, for Kestrel. The key file must be this user's with no access
    /// for group and others (<see cref="PrivateSecretFile"/>'s rule).
    /// </summary>
    /// <exception cref="ConfigException">A file is missing, the key file is not private, or the PEM does not parse.</exception>
    public X509Certificate2 Load()
    {
        PrivateSecretFile.CheckPrivate(KeyFile, "TLS key file (gateway.tls.keyFile)");
        try
        {
            return X509Certificate2.CreateFromPemFile(CertificateFile, KeyFile);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ConfigException($"gateway.tls: cannot load the certificate {CertificateFile} with the key {KeyFile}: {e.Message}", "gateway.tls.certificateFile", CertificateFile);
        }
    }
}
