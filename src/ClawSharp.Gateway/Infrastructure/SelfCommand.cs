using System.Diagnostics;

namespace ClawSharp.Gateway.Infrastructure;

/// <summary>
/// Starting this same clawsharp program again with other arguments (the supervisor, its
/// gateway): the native binary itself, or <c>dotnet clawsharp.dll</c> when it runs under the
/// dotnet host. The path is read at each start, so a binary replaced by an update is picked up.
/// </summary>
internal static class SelfCommand
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var program = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        var info = new ProcessStartInfo(program) { UseShellExecute = false };
        if (IsDotnetHost(program))
        {
            // Under the host, argument 0 is the entry assembly's path.
            info.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return info;
    }

    public static bool IsDotnetHost(string program) => Path.GetFileNameWithoutExtension(program) == "dotnet";
}
