using ClawSharp.Gateway.Storage;

namespace ClawSharp.Control.Doctor;

/// <summary>The store opens read-only through SQLite and its schema is one this build knows (<c>Storage/StoreOpenCheck</c>: never a copy, never a write).</summary>
internal sealed class StoreCheck : IDoctorCheck
{
    public string Name => "store";

    public DoctorFinding Run(DoctorContext context, bool fix) => StoreOpenCheck.Problem(context.State.StoreFile) is { } problem
        ? new DoctorFinding(Name, false, problem, $"restore {context.State.StoreFile} from a backup, or move it aside to start with an empty store", fix ? false : null)
        : DoctorFinding.Healthy(Name, File.Exists(context.State.StoreFile) ? $"{context.State.StoreFile} opens and its schema is current" : "no store yet: the first start creates it");
}
