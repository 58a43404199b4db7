using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Logging;
using ClawSharp.Tests.Infrastructure;
using Serilog;

namespace ClawSharp.Tests.Unit;

/// <summary>
/// <see cref="GatewayLogFileSink"/> with several writers of one file. Each sink has its own open
/// file description, as a process of its own has, so four sinks on four threads are four
/// processes appending to and rotating one <c>gateway.log</c>.
/// </summary>
public sealed class LogFilesAppendTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WritersOfOneFile_RotatingUnderEachOther_LeaveEveryLineWhole_AndLoseNone()
    {
        using var home = new TempHome();
        var options = new LogFileOptions { MaxFileBytes = 2048, MaxBackups = 100_000 };
        const int Writers = 4;
        const int LinesEach = 400;
        var failures = new List<string>();
        var sinks = Enumerable.Range(0, Writers)
            .Select(_ => new GatewayLogFileSink(home.State.LogFile, options, new GatewayJsonFormatter(), f => { lock (failures) { failures.Add(f); } }))
            .ToList();
        try
        {
            sinks.ForEach(s => Assert.Null(s.Begin()));
            using var start = new Barrier(Writers);
            await Task.WhenAll(sinks.Select((sink, writer) => Task.Factory.StartNew(() =>
            {
                using var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
                start.SignalAndWait();
                for (var line = 0; line < LinesEach; line++)
                {
                    logger.Information("writer {Writer} line {Line} {Padding}", writer, line, new string('x', line % 150));
                }
            }, TaskCreationOptions.LongRunning))).WaitAsync(Deadline);
        }
        finally
        {
            sinks.ForEach(s => s.Dispose());
        }

        Assert.Empty(failures);
        var seen = new List<(int Writer, int Line)>();
        foreach (var file in Directory.GetFiles(home.State.LogsDirectory, "gateway*.log"))
        {
            var text = File.ReadAllText(file);
            Assert.True(text.Length == 0 || text.EndsWith('\n'), $"{file} ends inside a line");
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var root = ParseOrFail(file, line);
                seen.Add((root.GetProperty("Writer").GetInt32(), root.GetProperty("Line").GetInt32()));
            }
        }
        var expected = from w in Enumerable.Range(0, Writers) from l in Enumerable.Range(0, LinesEach) select (w, l);
        Assert.Equal(expected.Order(), seen.Order());
        Assert.True(Directory.GetFiles(home.State.LogsDirectory, "gateway.*.log").Length > 10, "the file rotated many times");
    }

    [Fact]
    public void Rotation_KeepsTheConfiguredBackups_AsPrivateFiles_NewestFirst()
    {
        using var home = new TempHome();
        var options = new LogFileOptions { MaxFileBytes = 1024, MaxBackups = 2 };
        using (var sink = new GatewayLogFileSink(home.State.LogFile, options, new GatewayJsonFormatter(), f => Assert.Fail(f)))
        {
            Assert.Null(sink.Begin());
            using var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
            for (var line = 0; line < 200; line++)
            {
                logger.Information("line {Line}", line);
            }
        }

        var files = GatewayLogFiles.List(home.State).Select(Path.GetFileName);
        Assert.Equal(["gateway.2.log", "gateway.1.log", "gateway.log"], files);
        Assert.All(GatewayLogFiles.List(home.State), f =>
        {
            Assert.True(new FileInfo(f).Length <= 1024, $"{f} is {new FileInfo(f).Length} bytes");
            Assert.Equal(Gateway.Infrastructure.AtomicFile.PrivateFileMode, File.GetUnixFileMode(f));
        });
        Assert.Contains("\"Line\":199}", GatewayLogFiles.Tail(home.State, 1, raw: true)[0]);
    }

    [Fact]
    public void NothingIsWritten_BeforeBegin_ThenTheKeptEventsComeFirst()
    {
        using var home = new TempHome();
        using var sink = new GatewayLogFileSink(home.State.LogFile, new LogFileOptions(), new GatewayJsonFormatter(), f => Assert.Fail(f));
        using var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();

        logger.Warning("before the lock {N}", 1);
        logger.Information("before the lock {N}", 2);
        Assert.False(Directory.Exists(home.State.LogsDirectory), "a process that does not own the lock writes no log file");

        Assert.Null(sink.Begin());
        Assert.Null(sink.Begin());
        logger.Information("after the lock {N}", 3);

        var lines = File.ReadAllLines(home.State.LogFile);
        Assert.Equal([1, 2, 3], lines.Select(l => ParseOrFail(home.State.LogFile, l).GetProperty("N").GetInt32()));
    }

    [Fact]
    public void Follower_ReadsTheRenamedFileToItsEnd_ThenTheNewOne()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.State.LogsDirectory);
        var log = home.State.LogFile;
        File.WriteAllText(log, "old1\nold2\n");
        using var follower = new GatewayLogFollower(home.State);
        Assert.Empty(follower.Poll());

        File.AppendAllText(log, "a1\npartial");
        Assert.Equal(["a1"], follower.Poll());

        // Another writer rotates; a writer still holding the renamed file finishes its line there.
        File.Move(log, GatewayLogFiles.BackupOf(log, 1));
        File.AppendAllText(GatewayLogFiles.BackupOf(log, 1), "-line\na2\n");
        File.WriteAllText(log, "b1\n");
        Assert.Equal(["partial-line", "a2", "b1"], follower.Poll());

        File.AppendAllText(log, "b2\n");
        Assert.Equal(["b2"], follower.Poll());
    }

    [Fact]
    public void Follower_SeesARotation_EvenWhenTheNewFileAlreadyOutgrewTheOldOne()
    {
        using var home = new TempHome();
        Directory.CreateDirectory(home.State.LogsDirectory);
        var log = home.State.LogFile;
        File.WriteAllText(log, "old\n");
        using var follower = new GatewayLogFollower(home.State);
        Assert.Empty(follower.Poll());

        // Between two polls: the file is rotated and the new one is already bigger than the old one was.
        File.Move(log, GatewayLogFiles.BackupOf(log, 1));
        File.AppendAllText(GatewayLogFiles.BackupOf(log, 1), "last of the old\n");
        File.WriteAllText(log, string.Concat(Enumerable.Range(1, 10).Select(n => $"new line {n}\n")));

        var lines = follower.Poll();

        Assert.Equal(["last of the old", .. Enumerable.Range(1, 10).Select(n => $"new line {n}")], lines);
    }

    private static JsonElement ParseOrFail(string file, string line)
    {
        try
        {
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail($"{file}: a line that is not JSON ({e.Message}): {line}");
            throw;
        }
    }
}
