namespace ClawSharp.Control.Services;

/// <summary>Whose service manager runs the gateway: the user's own (default) or the machine's (<c>--system</c>).</summary>
internal enum ServiceScope
{
    User,
    System,
}
