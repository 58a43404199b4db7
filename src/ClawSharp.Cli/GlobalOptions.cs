using System.CommandLine;
using ClawSharp.Gateway.Configuration;

namespace ClawSharp.Cli;

/// <summary>Options every command takes: which state directory (and so which gateway) it means.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Home = new("--home")
    {
        Description = "State directory (default ~/.clawsharp, or CLAWSHARP_HOME)",
        Recursive = true,
        HelpName = "DIR",
    };

    public static readonly Option<string?> Profile = new("--profile")
    {
        Description = "Use the state directory ~/.clawsharp-NAME",
        Recursive = true,
        HelpName = "NAME",
    };

    /// <summary>Resolves the state directory; on a usage error prints it and returns false (the caller exits 2).</summary>
    public static bool TryResolveState(ParseResult parse, out StateDirectory state)
    {
        try
        {
            state = ResolveState(parse);
            return true;
        }
        catch (ArgumentException e)
        {
            CliOutput.Fail(Gateway.ExitCode.Usage, e.Message);
            state = null!;
            return false;
        }
    }

    /// <exception cref="ArgumentException">Both options given, or an invalid profile name.</exception>
    public static StateDirectory ResolveState(ParseResult parse) =>
        StateDirectory.Resolve(parse.GetValue(Home), parse.GetValue(Profile), Environment.GetEnvironmentVariable);

    /// <summary>The state-directory flags to repeat in the commands a message suggests (<c> --home DIR</c>, <c> --profile NAME</c> or nothing).</summary>
    public static string Repeat(ParseResult parse) =>
        parse.GetValue(Home) is { } home ? $" --home {home}"
        : parse.GetValue(Profile) is { } profile ? $" --profile {profile}"
        : "";
}
