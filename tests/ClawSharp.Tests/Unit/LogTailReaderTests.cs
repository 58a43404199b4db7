using System.Text;
using ClawSharp.Gateway.Logging;

namespace ClawSharp.Tests.Unit;

public sealed class LogTailReaderTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("clawsharp-logtail-").FullName;
    private string File => Path.Combine(directory, "gateway.log");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void WithoutACursor_TheNewestLines_UpToTheLimit_AndTheCursorAtTheEndOfTheLastWholeLine()
    {
        System.IO.File.WriteAllText(File, "one\ntwo\nthree\nfour\npart");

        var tail = LogTailReader.Read(File, cursor: null, limit: 2, maxBytes: 1000);

        Assert.Equal(["three", "four"], tail.Lines);
        Assert.True(tail.Truncated);
        Assert.Equal("one\ntwo\nthree\nfour\n".Length, tail.Cursor);
        Assert.Equal("one\ntwo\nthree\nfour\npart".Length, tail.Size);
    }

    [Fact]
    public void WithTheCursor_OnlyWhatWasWrittenSince_AndAPartialLineWaitsForItsEnd()
    {
        System.IO.File.WriteAllText(File, "one\ntwo\n");
        var first = LogTailReader.Read(File, null, 100, 1000);

        System.IO.File.AppendAllText(File, "three\nfo");
        var second = LogTailReader.Read(File, first.Cursor, 100, 1000);
        System.IO.File.AppendAllText(File, "ur\n");
        var third = LogTailReader.Read(File, second.Cursor, 100, 1000);

        Assert.Equal(["one", "two"], first.Lines);
        Assert.Equal(["three"], second.Lines);
        Assert.Equal(["four"], third.Lines);
        Assert.False(third.Truncated);
    }

    [Fact]
    public void ACursorPastTheEnd_IsARotation_ReadingStartsOverAndSaysSo()
    {
        System.IO.File.WriteAllText(File, "after rotation\n");

        var tail = LogTailReader.Read(File, cursor: 5000, limit: 100, maxBytes: 1000);

        Assert.True(tail.Reset);
        Assert.Equal(["after rotation"], tail.Lines);
    }

    [Fact]
    public void MaxBytes_BoundsTheRead_AndDropsTheCutFirstLine()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            text.Append("line ").Append(i).Append('\n');
        }
        System.IO.File.WriteAllText(File, text.ToString());

        var tail = LogTailReader.Read(File, cursor: 0, limit: 5000, maxBytes: 100);

        Assert.True(tail.Truncated);
        Assert.Equal("line 999", tail.Lines[^1]);
        Assert.True(Encoding.UTF8.GetByteCount(string.Join('\n', tail.Lines)) <= 100);
        Assert.All(tail.Lines, line => Assert.StartsWith("line ", line));
    }

    [Fact]
    public void AMissingFile_IsEmpty()
    {
        var tail = LogTailReader.Read(File, null, 10, 1000);

        Assert.Empty(tail.Lines);
        Assert.Equal(0, tail.Size);
    }
}
