using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// The control-protocol token: <c>--token</c> for one run, else <c>gateway.auth.token</c>,
/// else the <c>token</c> file of the state directory, generated (0600) on first run.
/// </summary>
internal static class TokenStore
{
    /// <summary>Reads the token a client should present, without creating one. Null when there is none.</summary>
    public static string? TryRead(StateDirectory state)
    {
        try
        {
            var token = File.ReadAllText(state.TokenFile).Trim();
            return token.Length > 0 ? token : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The token the gateway enforces; generates and stores one when nothing configures it.</summary>
    /// <exception cref="ConfigException">The token file holds a token shorter than <see cref="GatewayOptions.MinimumTokenLength"/>.</exception>
    public static string LoadOrCreate(StateDirectory state, GatewayOptions options)
    {
        if (!string.IsNullOrEmpty(options.Token))
        {
            return options.Token;
        }
        if (TryRead(state) is { } existing)
        {
            // A short token is a damaged or hand-written file, not one this wrote: enforcing it would
            // make a weak secret the gateway's without a word (the flag and the config refuse it too).
            return existing.Length >= GatewayOptions.MinimumTokenLength ? existing : throw new ConfigException(
                $"the token file {state.TokenFile} holds {existing.Length} character(s); a token needs at least {GatewayOptions.MinimumTokenLength}: " +
                "delete the file and the next start writes a new one (give it to your clients), or write a longer one", file: state.TokenFile);
        }
        var token = Base64Url(SecureRandom.Bytes(32));
        AtomicFile.WriteAllText(state.TokenFile, token + "\n");
        return token;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
