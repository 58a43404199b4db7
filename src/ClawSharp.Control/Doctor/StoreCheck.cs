using ClawSharp.Gateway.Storage;

namespace ClawSharp.Control.Doctor;

/// <summary>
/// The store opens read-only through SQLite and its schema is one this build knows
/// (<c>Storage/StoreOpenCheck</c>: never a copy, never a write). With <c>--deep</c> it also runs
/// SQLite's <c>quick_check</c> read-only: the whole file is read, so it is never part of a start
/// (a multi-GB check outlasting a start-up watchdog loops the service), only asked for.
/// </summary>
internal sealed class StoreCheck : IDoctorCheck
{
    public string Name => "store";

    public DoctorFinding Run(DoctorContext context, bool fix)
    {
        var path = context.State.StoreFile;
        var problem = StoreOpenCheck.Problem(path);
        if (problem is null && context.Deep && File.Exists(path))
        {
            problem = StoreOpenCheck.IntegrityProblem(path);
        }
        if (problem is not null)
        {
            return new DoctorFinding(Name, false, problem, $"restore {path} from a backup, or move it aside to start with an empty store", fix ? false : null);
        }
        if (!File.Exists(path))
        {
            return DoctorFinding.Healthy(Name, "no store yet: the first start creates it");
        }
        return DoctorFinding.Healthy(Name, context.Deep
            ? $"{path} opens, its schema is current and SQLite's quick_check finds it intact"
            : $"{path} opens and its schema is current (--deep also checks every page)");
    }
}
