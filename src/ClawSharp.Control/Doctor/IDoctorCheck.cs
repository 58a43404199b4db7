namespace ClawSharp.Control.Doctor;

/// <summary>
/// One doctor check. <see cref="Run"/> looks; with <c>fix</c> it also repairs what is safe to
/// repair on its own (never anything a live gateway owns, never a stop or a signal) and says what it left.
/// </summary>
internal interface IDoctorCheck
{
    string Name { get; }

    DoctorFinding Run(DoctorContext context, bool fix);
}
