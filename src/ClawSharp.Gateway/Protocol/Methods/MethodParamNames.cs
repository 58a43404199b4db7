using System.Collections.Frozen;

namespace ClawSharp.Gateway.Protocol.Methods;

/// <summary>
/// The one table of the property names each method's <c>params</c> may carry. The dispatcher
/// refuses any other name (INVALID_REQUEST naming it), as OpenClaw's closed schemas
/// (<c>additionalProperties: false</c>) do; the handlers check the types of those they read.
/// A few names OpenClaw's own clients send are accepted and ignored (marked below), so those
/// clients keep working against ClawSharp.
/// </summary>
internal static class MethodParamNames
{
    private static readonly FrozenDictionary<string, FrozenSet<string>> Table = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        // probe: sent by OpenClaw's CLI; ClawSharp has nothing deeper to probe.
        ["health"] = ["probe"],
        ["status"] = [],
        ["gateway.history"] = [],
        ["gateway.restart.preflight"] = [],
        ["gateway.restart.request"] = ["reason", "skipDeferral", "interruptActiveWork", "restartIntent", "requestedAt", "ifBootId"],
        // thinking, deliver: sent by OpenClaw's web chat; ClawSharp's agents have no use for them.
        ["chat.send"] = ["sessionKey", "message", "idempotencyKey", "agent", "webhookUrl", "expectFinal", "timeoutMs", "thinking", "deliver"],
        ["chat.abort"] = ["sessionKey", "runId"],
        // maxChars: OpenClaw's; ClawSharp caps by limit only.
        ["chat.history"] = ["sessionKey", "limit", "maxChars"],
        // OpenClaw's sessions.list filters; ClawSharp lists every session.
        ["sessions.list"] = ["limit", "activeMinutes", "includeGlobal", "includeUnknown", "includeDerivedTitles", "includeLastMessage",
            "label", "spawnedBy", "agentId", "search", "archived", "configuredAgentsOnly"],
        ["logs.tail"] = ["cursor", "limit", "maxBytes"],
        ["tasks.create"] = ["command", "label", "title", "sessionKey", "restartable", "timeoutMs"],
        ["tasks.list"] = ["status", "sessionKey", "limit", "cursor"],
        ["tasks.get"] = ["taskId"],
        ["tasks.cancel"] = ["taskId", "reason"],
    }.ToFrozenDictionary(row => row.Key, row => row.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The names <paramref name="method"/> takes; a method missing from the table is a programming error.</summary>
    public static IReadOnlySet<string> Of(string method) =>
        Table.TryGetValue(method, out var names)
            ? names
            : throw new InvalidOperationException($"{method} has no row in {nameof(MethodParamNames)}: every method declares its params");
}
