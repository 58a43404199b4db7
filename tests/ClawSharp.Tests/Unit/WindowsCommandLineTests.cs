using System.Text;
using ClawSharp.Control.Services.Windows;

namespace ClawSharp.Tests.Unit;

/// <summary>A service's binPath: one command line that Windows splits back into the same arguments.</summary>
public sealed class WindowsCommandLineTests
{
    [Theory]
    [InlineData(@"C:\tools\clawsharp.exe", @"C:\tools\clawsharp.exe")]
    [InlineData(@"C:\Program Files\ClawSharp\clawsharp.exe", @"""C:\Program Files\ClawSharp\clawsharp.exe""")]
    [InlineData(@"C:\Users\Ada Lovelace\.clawsharp\", @"""C:\Users\Ada Lovelace\.clawsharp\\""")]
    [InlineData(@"say ""hi""", @"""say \""hi\""""")]
    [InlineData(@"a\\""b", @"""a\\\\\""b""")]
    [InlineData("", @"""""")]
    [InlineData(@"back\slash", @"back\slash")]
    public void Quote_FollowsCommandLineToArgvW(string argument, string expected) =>
        Assert.Equal(expected, WindowsCommandLine.Quote(argument));

    [Fact]
    public void Join_SplitsBackIntoTheSameArguments()
    {
        string[] arguments =
        [
            @"C:\Program Files\ClawSharp\clawsharp.exe", "gateway", "run", "--home", @"C:\Users\Ada Lovelace\.clawsharp\", "",
            @"x""y", @"trailing\\", "tab\there", @"\\server\share\a b\", @"""""",
        ];

        Assert.Equal(arguments, Split(WindowsCommandLine.Join(arguments)));
    }

    /// <summary>CommandLineToArgvW's rules for every argument (the program's own name is read the same way when it holds no quote).</summary>
    private static List<string> Split(string line)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var any = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\\')
            {
                var run = 0;
                while (i < line.Length && line[i] == '\\')
                {
                    run++;
                    i++;
                }
                if (i < line.Length && line[i] == '"')
                {
                    current.Append('\\', run / 2);
                    if (run % 2 == 1)
                    {
                        current.Append('"');
                    }
                    else
                    {
                        inQuotes = !inQuotes;
                    }
                }
                else
                {
                    current.Append('\\', run);
                    i--;
                }
                any = true;
            }
            else if (c == '"')
            {
                inQuotes = !inQuotes;
                any = true;
            }
            else if (c is ' ' or '\t' && !inQuotes)
            {
                if (any)
                {
                    arguments.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }
        if (any)
        {
            arguments.Add(current.ToString());
        }
        return arguments;
    }
}
