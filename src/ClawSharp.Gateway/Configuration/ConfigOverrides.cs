using System.Net;

namespace ClawSharp.Gateway.Configuration;

/// <summary>Command-line flags of <c>gateway run</c> that win over <c>config.json</c> for that run.</summary>
internal sealed record ConfigOverrides
{
    public int? Port { get; init; }
    public IPAddress? Bind { get; init; }
    public AuthMode? AuthMode { get; init; }

    /// <summary>From <c>--token</c>: wins over the token file for this run, which is not rewritten.</summary>
    public string? Token { get; init; }

    /// <summary>From <c>--token-file</c> (or <c>CLAWSHARP_TOKEN</c> when neither flag is given): the token is read from this private file.</summary>
    public string? TokenFile { get; init; }

    /// <summary>From <c>--password-file</c>: the password is read from the file, never from a command line.</summary>
    public string? PasswordFile { get; init; }
}
