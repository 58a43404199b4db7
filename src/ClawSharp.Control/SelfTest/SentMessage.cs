namespace ClawSharp.Control.SelfTest;

/// <summary>The load generator's record of one message: what was sent, on which channel, and whether (and as what) the gateway acknowledged it.</summary>
internal sealed class SentMessage(int number, string idempotencyKey, LoadChannel channel, string sessionKey, string text)
{
    public int Number { get; } = number;

    /// <summary>The same on every attempt: a resend after a fault must not become a second message.</summary>
    public string IdempotencyKey { get; } = idempotencyKey;

    public LoadChannel Channel { get; } = channel;

    public string SessionKey { get; } = sessionKey;

    public string Text { get; } = text;

    /// <summary>The message id of the acknowledgement; null while none came.</summary>
    public string? MessageId { get; set; }

    /// <summary>How many times it was sent.</summary>
    public int Attempts { get; set; }

    /// <summary>An acknowledgement said <c>duplicate</c>: an earlier attempt had been committed but its answer was lost to a fault.</summary>
    public bool AckedAsDuplicate { get; set; }

    /// <summary>Why the last attempt failed, when it did.</summary>
    public string? LastError { get; set; }
}

/// <summary>How a message reaches the gateway.</summary>
internal enum LoadChannel
{
    /// <summary><c>chat.send</c> over the control protocol.</summary>
    WebSocket,

    /// <summary><c>POST /v1/messages</c>.</summary>
    Http,
}
