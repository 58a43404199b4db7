namespace ClawSharp.Gateway.Work;

/// <summary>A webhook address the <see cref="WebhookDestinationPolicy"/> refuses: the reply fails at once, no retry.</summary>
internal sealed class WebhookRefusedException(string message) : IOException(message);
