namespace ClawSharp.Gateway.Work;

/// <summary>What of a webhook URL may be logged: scheme, host and port. Its user info, path and query often carry secrets.</summary>
internal static class WebhookOrigin
{
    public static string Of(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{uri.Port}" : "webhook";
}
