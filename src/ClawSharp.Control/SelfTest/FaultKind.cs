namespace ClawSharp.Control.SelfTest;

/// <summary>The faults the self-test applies; each name is what the report prints.</summary>
internal enum FaultKind
{
    /// <summary><c>kill -9</c> of the gateway; its supervisor starts a new one.</summary>
    KillGateway,

    /// <summary><c>kill -9</c> of the supervisor, then <c>gateway start</c> (and a stop + start to put the orphaned gateway under a supervisor again).</summary>
    KillSupervisor,

    /// <summary>SIGTERM to the gateway (a stop), then <c>gateway start</c>.</summary>
    TermAndStart,

    /// <summary>SIGUSR1 to the gateway: a restart.</summary>
    Usr1,

    /// <summary><c>gateway restart --safe</c>.</summary>
    RestartSafe,

    /// <summary><c>gateway restart --force</c>.</summary>
    RestartForce,

    /// <summary><c>gateway restart --wait 1s</c>.</summary>
    RestartWait,

    /// <summary>An invalid value in config.json: a restart must be refused while it is there; repaired, then restarted.</summary>
    BrokenConfig,

    /// <summary><c>logs/</c> read-only (a bind mount), then a restart while it is so.</summary>
    ReadOnlyLogs,
}

/// <summary>Names and order of the faults.</summary>
internal static class FaultKinds
{
    public static readonly FaultKind[] All = Enum.GetValues<FaultKind>();

    public static string Name(FaultKind kind) => kind switch
    {
        FaultKind.KillGateway => "kill-9-gateway",
        FaultKind.KillSupervisor => "kill-9-supervisor",
        FaultKind.TermAndStart => "sigterm-start",
        FaultKind.Usr1 => "sigusr1",
        FaultKind.RestartSafe => "restart-safe",
        FaultKind.RestartForce => "restart-force",
        FaultKind.RestartWait => "restart-wait-1s",
        FaultKind.BrokenConfig => "broken-config",
        FaultKind.ReadOnlyLogs => "read-only-logs",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// Faults that may cut a webhook delivery in flight by design: a kill -9, and restarts that skip
    /// or cap the drain. A reply cut so is sent again under the same message id (at-least-once;
    /// ARCHITECTURE.md §4), so a second delivery right after one of these is a redelivery, not a
    /// duplicate. After any other fault the drain waits for deliveries, and a second one is a bug.
    /// </summary>
    public static bool MayCutDeliveries(string name) =>
        name == Name(FaultKind.KillGateway) || name == Name(FaultKind.RestartForce) || name == Name(FaultKind.RestartWait);

    /// <summary>
    /// The faults of a run: every kind once, in an order the seed shuffles, then kinds drawn at
    /// random. So any run of at least <see cref="All"/>.Length faults applies each kind.
    /// </summary>
    public static IReadOnlyList<FaultKind> Plan(int faults, int seed)
    {
        var random = new Random(seed);
        var plan = new List<FaultKind>(faults);
        var round = All.ToArray();
        random.Shuffle(round);
        plan.AddRange(round.Take(faults));
        while (plan.Count < faults)
        {
            plan.Add(All[random.Next(All.Length)]);
        }
        return plan;
    }
}
