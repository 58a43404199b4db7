using System.Reflection;

namespace ClawSharp.Gateway;

/// <summary>The product version, read once from the assembly's informational version.</summary>
internal static class GatewayVersion
{
    /// <summary>For example <c>0.1.0</c>; the source revision suffix (<c>+sha</c>) is dropped.</summary>
    public static string Current { get; } = Read();

    private static string Read()
    {
        var informational = typeof(GatewayVersion).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
