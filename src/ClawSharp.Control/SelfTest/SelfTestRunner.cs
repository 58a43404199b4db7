using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ClawSharp.Control.SelfTest;

/// <summary>
/// <c>clawsharp selftest</c>: the short chaos profile against a scratch gateway on this host.
/// Order: start the sink and a scratch gateway (daemonized, this binary); start the load; apply
/// the faults one by one, each followed by a wait for a ready new generation; stop the load;
/// wait for every acknowledged message's reply; read the store; stop the gateway and check that
/// nothing of it is left; audit. Cleanup (stop, SIGKILL of anything left, unmount, delete the
/// scratch directory) runs whatever happens, Ctrl-C included.
/// </summary>
internal static class SelfTestRunner
{
    /// <exception cref="OperationCanceledException">Interrupted (Ctrl-C); everything started was cleaned up.</exception>
    public static async Task<SelfTestReport> RunAsync(SelfTestOptions options, Action<string> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var sink = WebhookSink.Start();
        var gateway = ScratchGateway.Create(options.Keep);
        await using (gateway.ConfigureAwait(false))
        {
            progress($"scratch state directory {gateway.State.Root}, port {gateway.Port}, seed {options.Seed}");
            var problems = new List<string>();
            var faults = new List<FaultOutcome>();
            var load = new LoadGenerator(gateway, sink, options);
            var start = await gateway.RunCliAsync(["gateway", "start"], TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            var boot = start.ExitCode == 0 ? await gateway.WaitReadyAsync(null, options.RecoveryBound, cancellationToken).ConfigureAwait(false) : null;
            if (boot is null)
            {
                problems.Add($"the scratch gateway did not start: exit {start.ExitCode}: {start.FirstLine}");
            }
            else
            {
                using var stopNew = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var loadRun = load.RunAsync(stopNew.Token, cancellationToken);
                try
                {
                    await ApplyFaultsAsync(gateway, options, boot, faults, problems, progress, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await stopNew.CancelAsync().ConfigureAwait(false);
                    await loadRun.ConfigureAwait(false);
                }
                cancellationToken.ThrowIfCancellationRequested();
                await WaitForAnswersAsync(load.Messages, sink, options.AnswerDeadline, cancellationToken).ConfigureAwait(false);
            }
            StoreView? store = null;
            string? storeProblem = null;
            if (boot is not null)
            {
                try
                {
                    store = StoreReader.Read(gateway.State.StoreFile);
                }
                catch (SqliteException e)
                {
                    storeProblem = e.Message;
                }
            }
            var processesSeen = gateway.ProcessesSeen;
            var leftovers = await gateway.StopAsync(cancellationToken).ConfigureAwait(false);
            return SelfTestAudit.Judge(options.Seed, load.Messages, sink.Snapshot(), sink.Malformed, store, storeProblem, faults, leftovers,
                processesSeen, clock.ElapsedMilliseconds, gateway.State.Root, problems);
        }
    }

    private static async Task ApplyFaultsAsync(ScratchGateway gateway, SelfTestOptions options, string boot, List<FaultOutcome> faults,
        List<string> problems, Action<string> progress, CancellationToken cancellationToken)
    {
        var driver = new FaultDriver(gateway, options);
        var plan = FaultKinds.Plan(options.Faults, options.Seed);
        for (var cycle = 1; cycle <= plan.Count; cycle++)
        {
            await Task.Delay(options.Gap, cancellationToken).ConfigureAwait(false);
            var (outcome, after) = await driver.ApplyAsync(cycle, plan[cycle - 1], boot, cancellationToken).ConfigureAwait(false);
            faults.Add(outcome);
            progress(Describe(outcome, plan.Count));
            if (after is null)
            {
                problems.Add($"the gateway did not come back after cycle {cycle} ({outcome.Fault}); the remaining {plan.Count - cycle} fault(s) were not applied");
                return;
            }
            boot = after;
        }
        await Task.Delay(options.Gap, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WaitForAnswersAsync(IReadOnlyList<SentMessage> messages, WebhookSink sink, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < deadline && messages.Any(m => m.MessageId is { } id && sink.Count(id) == 0))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Describe(FaultOutcome outcome, int of) =>
        outcome.Skipped is not null ? $"fault {outcome.Cycle}/{of} {outcome.Fault}: skipped ({outcome.Skipped})"
        : outcome.Recovered ? $"fault {outcome.Cycle}/{of} {outcome.Fault}: ready again in {outcome.RecoveryMs} ms{(outcome.Note is null ? "" : $" ({outcome.Note})")}"
        : $"fault {outcome.Cycle}/{of} {outcome.Fault}: NOT recovered after {outcome.RecoveryMs} ms: {outcome.Note}";
}
