namespace ClawSharp.Gateway.Work;

/// <summary>The outcome of one POST: delivered, or the error; <paramref name="Refused"/>: the address is refused, so trying again cannot help.</summary>
internal sealed record WebhookAttempt(bool Delivered, string? Error, bool Refused)
{
    public static readonly WebhookAttempt Ok = new(true, null, false);
}
