namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// A web origin (<c>scheme://host[:port]</c>) as browsers send it in the <c>Origin</c> header:
/// one normal form for <c>gateway.allowedOrigins</c> and for the header, so that comparing
/// them is comparing strings.
/// </summary>
internal static class WebOrigin
{
    /// <summary>
    /// Lower-cases scheme and host, drops a default port and a bare trailing <c>/</c>. Only
    /// <c>http</c> and <c>https</c> with a host and nothing after it (no user, path, query or
    /// fragment) are origins; <c>null</c> (what sandboxed pages and <c>file:</c> send) is not.
    /// </summary>
    public static bool TryNormalize(string? text, out string origin)
    {
        origin = "";
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri))
        {
            return false;
        }
        if (uri.Scheme is not ("http" or "https") || uri.Host.Length == 0 || uri.UserInfo.Length > 0
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return false;
        }
        origin = uri.IsDefaultPort ? $"{uri.Scheme}://{uri.Host}" : $"{uri.Scheme}://{uri.Host}:{uri.Port}";
        return true;
    }
}
