using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;
using ClawSharp.Gateway.Storage;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>A gateway that lives for months: idle it writes nothing; the hourly sweep applies <c>store.retentionDays</c>.</summary>
public sealed class StoreOverMonthsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnIdleGateway_WritesNothing()
    {
        using var home = new TempHome();
        // The JIT's tiering thread, started and named (a write to /proc/self/task/N/comm) after each
        // burst of calls, counts in wchar though it never reaches a disk; the AOT build has none.
        await using var gateway = await GatewayProcess.StartGatewayAsync(home, environment: new Dictionary<string, string>
        {
            ["DOTNET_TieredCompilation"] = "0",
        });
        await CliRun.CallAsync(home, "chat.send", """{"sessionKey":"idle","message":"once","idempotencyKey":"k1"}""");
        await Eventually.AssertAsync(async () =>
            (await CliRun.CallAsync(home, "status")).GetProperty("work").GetProperty("pendingReplies").GetInt64() == 0, Deadline, "the reply delivered");
        long settled = -1;
        await Eventually.AssertAsync(async () =>
        {
            var before = Written(gateway.Pid);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            settled = Written(gateway.Pid);
            return settled == before;
        }, Deadline, "the gateway's writes to settle after the start and the message");
        var files = Files(home);

        // A measurement window, not a wait for a condition: "writes nothing" is a claim over time.
        // 3 s holds the outbox, the sweep and the dashboard sampler (10 s; read-only) to account.
        await Steadily.HoldsAsync(() => Task.FromResult(Written(gateway.Pid) == settled), TimeSpan.FromSeconds(3),
            "an idle gateway's wchar (every byte it passes to write(2)) stays put");

        Assert.Equal(files, Files(home));
    }

    [Fact]
    public async Task TheWalAKilledGatewayLeft_IsCheckpointedAndTruncatedByTheNextStart()
    {
        using var home = new TempHome();
        await using (var gateway = await GatewayProcess.StartGatewayAsync(home))
        {
            var (client, _) = await RawProtocolClient.ConnectAsync(gateway.Port, TokenStore.TryRead(home.State)!);
            await using (client)
            {
                for (var i = 0; i < 150; i++)
                {
                    var response = await client.RequestAsync("chat.send", $$"""{"sessionKey":"s{{i % 5}}","message":"{{new string('x', 2000)}}","idempotencyKey":"k{{i}}"}""");
                    Assert.True(response.GetProperty("ok").GetBoolean(), response.ToString());
                }
            }
            gateway.Signal(Posix.SIGKILL);
            await gateway.WaitForExitAsync();
        }
        var left = new FileInfo(home.State.StoreFile + "-wal").Length;
        Assert.True(left > 256 * 1024, $"the killed gateway should have left its WAL behind ({left} bytes)");

        await using var restarted = await GatewayProcess.StartGatewayAsync(home);

        // Recovery may have written a little since (answers of the runs the kill cut), never the old WAL.
        Assert.InRange(new FileInfo(home.State.StoreFile + "-wal").Length, 0, left / 2);
    }

    [Fact]
    public async Task TheSweep_DeletesFinishedWorkOlderThanTheRetention_AndKeepsTheRest()
    {
        using var home = new TempHome();
        home.WriteConfig("""{"store":{"retentionDays":1}}""");
        var then = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(3));
        string oldRun, pendingRun;
        using (var store = GatewayStore.Open(home.State.StoreFile, then))
        {
            var old = await store.AcceptMessageAsync("old", "three days ago", "k-old", "echo", null);
            await store.StartRunAsync(old.RunId);
            await store.FinishRunAsync(old.RunId, new RunEnding(RunStatus.Completed, "final", "answered", null));
            await store.MarkPublishedAsync([(store.UnpublishedReplies(0, 10).Single().Id, true)]);
            oldRun = old.RunId;
            var pending = await store.AcceptMessageAsync("old", "still owed a webhook", null, "echo", "http://127.0.0.1:9/never");
            await store.StartRunAsync(pending.RunId);
            await store.FinishRunAsync(pending.RunId, new RunEnding(RunStatus.Completed, "final", "not delivered yet", null));
            pendingRun = pending.RunId;
        }

        await using var gateway = await GatewayProcess.StartGatewayAsync(home);

        await gateway.Stdout.WaitForAsync("store retention: deleted 1 message(s)", Deadline);
        using var connection = new SqliteConnection($"Data Source={home.State.StoreFile};Mode=ReadOnly");
        connection.Open();
        Assert.Equal(0L, Count(connection, $"SELECT COUNT(*) FROM runs WHERE id = '{oldRun}'"));
        Assert.Equal(0L, Count(connection, $"SELECT COUNT(*) FROM replies WHERE run_id = '{oldRun}'"));
        Assert.Equal(1L, Count(connection, $"SELECT COUNT(*) FROM runs WHERE id = '{pendingRun}'"));
    }

    [Fact]
    public async Task ADamagedPage_IsNotLookedForByDefault_DoctorDeepFindsIt()
    {
        using var home = new TempHome();
        using (var store = GatewayStore.Open(home.State.StoreFile, TimeProvider.System, StoreDurability.Fast))
        {
            for (var i = 0; i < 500; i++)
            {
                await store.AcceptMessageAsync($"s{i % 5}", new string('x', 500), null, "echo", null);
            }
        }
        // A page in the middle of the tables zeroed, as a bad sector would leave it (no gateway runs: the test may open the file).
        using (var file = new FileStream(home.State.StoreFile, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length / 4096 / 2 * 4096;
            file.Write(new byte[4096]);
        }

        var quick = await CliRun.RunAsync(home, "doctor", "--json");
        var deep = await CliRun.RunAsync(home, "doctor", "--deep", "--json");

        Assert.True(StoreCheckOf(quick).GetProperty("ok").GetBoolean(), quick.Stdout);
        Assert.Equal(1, deep.ExitCode);
        Assert.False(StoreCheckOf(deep).GetProperty("ok").GetBoolean(), deep.Stdout);
        Assert.Contains("is corrupt", StoreCheckOf(deep).GetProperty("finding").GetString());
    }

    private static System.Text.Json.JsonElement StoreCheckOf(CliResult result) =>
        System.Text.Json.JsonDocument.Parse(result.Stdout).RootElement.GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "store");

    private static long Count(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>wchar of /proc/PID/io: every byte the process handed to write(2) and its kin, files, pipes and procfs alike.</summary>
    private static long Written(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal))[6..].Trim(),
            System.Globalization.CultureInfo.InvariantCulture);

    private static string Files(TempHome home) => string.Join("\n",
        Directory.EnumerateFiles(home.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}"));
}
