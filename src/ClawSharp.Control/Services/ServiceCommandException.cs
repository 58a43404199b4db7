namespace ClawSharp.Control.Services;

/// <summary>A service manager's command failed: what ran, how it ended, and what to do next.</summary>
internal sealed class ServiceCommandException(string message) : Exception(message);
