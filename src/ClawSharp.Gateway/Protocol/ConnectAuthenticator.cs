using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Gateway.Protocol;

/// <summary>Checks the <c>auth</c> of a <c>connect</c> against the configured mode, in constant time.</summary>
internal sealed class ConnectAuthenticator
{
    private readonly AuthMode mode;
    private readonly byte[]? secretHash;

    public ConnectAuthenticator(AuthMode mode, string? secret)
    {
        this.mode = mode;
        if (mode != AuthMode.None)
        {
            ArgumentException.ThrowIfNullOrEmpty(secret);
            secretHash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        }
    }

    /// <summary>Null when the client may connect, else the reason (sent as <c>unauthorized: …</c>).</summary>
    public string? Check(JsonElement connectParams)
    {
        if (mode == AuthMode.None)
        {
            return null;
        }
        var field = mode == AuthMode.Token ? "token" : "password";
        string? presented = null;
        if (connectParams.ValueKind == JsonValueKind.Object
            && connectParams.TryGetProperty("auth", out var auth)
            && auth.ValueKind == JsonValueKind.Object
            && auth.TryGetProperty(field, out var value)
            && value.ValueKind == JsonValueKind.String)
        {
            presented = value.GetString();
        }
        if (string.IsNullOrEmpty(presented))
        {
            return $"gateway {field} missing (pass auth.{field} in connect)";
        }
        return Matches(presented) ? null : $"gateway {field} mismatch";
    }

    /// <summary>True when <paramref name="presented"/> is the configured secret (always true with auth none).</summary>
    public bool Matches(string? presented)
    {
        if (mode == AuthMode.None)
        {
            return true;
        }
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }
        // Hashing first makes the comparison length-independent as well as constant-time.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(presentedHash, secretHash);
    }
}
