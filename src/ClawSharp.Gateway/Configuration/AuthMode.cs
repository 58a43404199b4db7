namespace ClawSharp.Gateway.Configuration;

/// <summary>How control-protocol clients prove who they are (<c>gateway.auth.mode</c>).</summary>
internal enum AuthMode
{
    /// <summary>A shared token (the default); generated into the state directory when none is configured.</summary>
    Token,

    /// <summary>A shared password, from <c>--password-file</c> or <c>gateway.auth.password</c>.</summary>
    Password,

    /// <summary>No auth: allowed on a loopback bind only.</summary>
    None,
}
