using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>
/// Cryptographically secure random bytes for ids, nonces and boot ids. On Linux straight from the
/// kernel's <c>getrandom(2)</c>: <see cref="RandomNumberGenerator"/> goes through OpenSSL there, and its
/// first call maps libcrypto and libssl (~3.7 MiB of RSS) into a gateway that otherwise never needs
/// them (bench/memory.py idle, issue 18). Elsewhere (macOS, Windows) <see cref="RandomNumberGenerator"/>
/// already uses the system's generator.
/// </summary>
internal static partial class SecureRandom
{
    private const int EINTR = 4;

    /// <summary>Fills <paramref name="buffer"/> with random bytes.</summary>
    public static void Fill(Span<byte> buffer)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomNumberGenerator.Fill(buffer);
            return;
        }
        while (!buffer.IsEmpty)
        {
            var got = GetRandom(buffer);
            if (got < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }
                throw new IOException($"getrandom failed (errno {errno})");
            }
            buffer = buffer[(int)got..];
        }
    }

    /// <summary><paramref name="byteCount"/> random bytes as lower-case hex (twice as many characters).</summary>
    public static string Hex(int byteCount)
    {
        Span<byte> bytes = stackalloc byte[byteCount];
        Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary><paramref name="byteCount"/> fresh random bytes.</summary>
    public static byte[] Bytes(int byteCount)
    {
        var bytes = new byte[byteCount];
        Fill(bytes);
        return bytes;
    }

    private static unsafe nint GetRandom(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            // flags 0: block only until the kernel's pool is first initialised (never, once the system is up).
            return getrandom(p, (nuint)buffer.Length, 0);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint getrandom(byte* buffer, nuint length, uint flags);
}
