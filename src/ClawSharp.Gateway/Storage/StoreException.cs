namespace ClawSharp.Gateway.Storage;

/// <summary>The store cannot be used (corrupt, locked, unreadable); the message names the file and what to do.</summary>
internal sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
