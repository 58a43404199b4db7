using System.Text.Json;
using ClawSharp.Gateway.Configuration;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Gateway.Restart;

/// <summary>A restart the gateway refused before it drained anything, because the next start would fail.</summary>
/// <param name="Pid">The gateway that refused (and keeps serving).</param>
/// <param name="At">Unix milliseconds of the refusal.</param>
/// <param name="Reason">Why: the configuration key and file, or the store.</param>
internal sealed record RestartRefusal(int Pid, long At, string Reason);

/// <summary>
/// <c>restart-refused.json</c> (0600, atomic): a requester that signalled the gateway (and so
/// gets no answer) learns here at once that its restart was refused, and why, instead of
/// waiting out its timeout. The newest refusal replaces the last; readers match pid and time.
/// </summary>
internal static class RestartRefusalStore
{
    public static void Write(StateDirectory state, RestartRefusal refusal)
    {
        try
        {
            AtomicFile.WriteAllBytes(state.RestartRefusedFile, JsonSerializer.SerializeToUtf8Bytes(refusal, RestartJsonContext.Default.RestartRefusal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The refusal is still logged; only a waiting CLI learns it later (at its timeout).
        }
    }

    /// <summary>The refusal by <paramref name="pid"/> at or after <paramref name="since"/>, if any.</summary>
    public static RestartRefusal? Read(StateDirectory state, int pid, DateTimeOffset since)
    {
        try
        {
            var refusal = JsonSerializer.Deserialize(File.ReadAllBytes(state.RestartRefusedFile), RestartJsonContext.Default.RestartRefusal);
            return refusal is not null && refusal.Pid == pid && refusal.At >= since.ToUnixTimeMilliseconds() ? refusal : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
