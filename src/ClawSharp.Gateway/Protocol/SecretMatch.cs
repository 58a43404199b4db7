namespace ClawSharp.Gateway.Protocol;

/// <summary>
/// Compares a configured secret with what a client presented, in time that depends only on the
/// presented length (which the client knows anyway): every presented byte is compared against the
/// secret's bytes taken cyclically, and a length difference is folded into the same result, so
/// neither how much of the secret matched nor its length shows in the timing. Plain bytes instead of
/// SHA-256 hashes: on Linux .NET's SHA-256 is OpenSSL's, and loading it costs the gateway ~3.7 MiB of
/// RSS it needs for nothing else when TLS is off (bench/memory.py, issue 18).
/// </summary>
internal static class SecretMatch
{
    public static bool Equal(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> presented)
    {
        if (secret.IsEmpty)
        {
            return false;
        }
        var difference = secret.Length ^ presented.Length;
        for (var i = 0; i < presented.Length; i++)
        {
            difference |= secret[i % secret.Length] ^ presented[i];
        }
        return difference == 0;
    }
}
