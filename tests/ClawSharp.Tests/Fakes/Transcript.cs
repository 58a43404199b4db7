namespace ClawSharp.Tests.Fakes;

/// <summary>The ordered record of what a lifecycle test saw: state changes from the log and calls on the fakes, compared whole.</summary>
internal sealed class Transcript
{
    private readonly List<string> entries = [];
    private readonly Lock gate = new();

    public void Add(string entry)
    {
        lock (gate)
        {
            entries.Add(entry);
        }
    }

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (gate)
            {
                return [.. entries];
            }
        }
    }

    public bool Contains(string entry) => Entries.Contains(entry);
}
