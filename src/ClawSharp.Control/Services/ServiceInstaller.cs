using ClawSharp.Gateway;
using ClawSharp.Gateway.Infrastructure;

namespace ClawSharp.Control.Services;

/// <summary>How <c>gateway install</c> ended.</summary>
internal abstract record InstallResult
{
    /// <summary>Written, registered and started.</summary>
    public sealed record Installed(ServiceRecord Record, IReadOnlyList<string> Warnings) : InstallResult;

    /// <summary>A definition exists already and <c>--force</c> was not given: nothing was touched.</summary>
    public sealed record AlreadyInstalled(string What) : InstallResult;

    /// <summary>
    /// A step failed; <paramref name="Error"/> says which and what to do. A first install is rolled back (what it wrote is
    /// removed) but on Windows; <c>--force</c>, and Windows, leave the files for <c>uninstall</c> (the record names them).
    /// </summary>
    public sealed record Failed(string Error) : InstallResult;
}

/// <summary>How <c>gateway uninstall</c> ended.</summary>
internal abstract record UninstallResult
{
    public sealed record Removed(ServiceRecord Record, IReadOnlyList<string> Files) : UninstallResult;

    public sealed record NotInstalled : UninstallResult;

    public sealed record Failed(string Error) : UninstallResult;
}

/// <summary>
/// Installs and uninstalls a service the same way on every platform: refuse to replace a
/// definition without <c>--force</c>; write the environment file (owner-only), then the
/// definition's files, then the record (<c>service.json</c>) naming all of them; then let the
/// platform register and start it. Uninstall reverses it and removes every file the record names.
/// </summary>
internal static class ServiceInstaller
{
    public static async Task<InstallResult> InstallAsync(IServicePlatform platform, ServiceDefinition definition, bool force,
        TimeProvider time, CancellationToken cancellationToken)
    {
        IReadOnlyList<ServiceFile> files;
        try
        {
            files = platform.Render(definition);
        }
        catch (ServiceCommandException e)
        {
            // A value the definition's format cannot hold (a control character in a path): nothing is written.
            return new InstallResult.Failed(e.Message);
        }
        var existing = ServiceRecordStore.Read(definition.State);
        if (!force)
        {
            if (existing is not null)
            {
                return new InstallResult.AlreadyInstalled(
                    $"a {Describe(existing)} is already installed for {definition.State.Root} ({string.Join(", ", existing.Files)}, installed {existing.InstalledAt:u} by clawsharp {existing.Version})");
            }
            if (files.FirstOrDefault(file => File.Exists(file.Path)) is { } present)
            {
                return new InstallResult.AlreadyInstalled($"{present.Path} exists already (not written by this state directory's install)");
            }
        }
        var record = RecordOf(definition, files, time);
        // What was there before this install (a service.env with the operator's secrets): a rollback never removes it.
        var before = record.Files.Where(File.Exists).ToHashSet(StringComparer.Ordinal);
        try
        {
            if (existing is not null && force)
            {
                // A replaced definition under another name would be left running beside the new one.
                await platform.DeactivateAsync(existing, cancellationToken).ConfigureAwait(false);
                RemoveFiles(existing.Files.Except(record.Files).ToList());
            }
            WriteDefinition(definition, files, record);
            var warnings = await platform.ActivateAsync(definition, cancellationToken).ConfigureAwait(false);
            return new InstallResult.Installed(record, warnings);
        }
        catch (Exception e) when (e is ServiceCommandException or IOException or UnauthorizedAccessException)
        {
            // A first install that failed leaves nothing behind: an uninstall would need the very manager that just failed
            // (a user systemd with no bus), and start would find a service that is not there. Not on Windows: a service
            // name is the SCM's, not a file this install checked was free ("already exists" is someone else's to keep).
            if (existing is null && !force && platform.Platform != ServicePlatform.Windows
                && await RollBackAsync(platform, record, before, definition.State, cancellationToken).ConfigureAwait(false))
            {
                return new InstallResult.Failed($"{e.Message} (nothing is left installed: the files this install wrote were removed)");
            }
            return new InstallResult.Failed($"{e.Message} (the files written are listed in {ServiceRecordStore.PathOf(definition.State)}; 'clawsharp gateway uninstall' removes them)");
        }
    }

    /// <summary>
    /// Undoes a first install that failed, as far as it got: the manager is told to forget it (its failure ignored), the
    /// files it wrote and the record go; a file that was there <paramref name="before"/> stays. True when none of its own is left.
    /// </summary>
    private static async Task<bool> RollBackAsync(IServicePlatform platform, ServiceRecord record, IReadOnlySet<string> before,
        Gateway.Configuration.StateDirectory state, CancellationToken cancellationToken)
    {
        try
        {
            await platform.DeactivateAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ServiceCommandException or IOException or UnauthorizedAccessException)
        {
            // The manager that failed the install may fail this too; it registered nothing then.
        }
        try
        {
            RemoveFiles([.. record.Files.Where(file => !before.Contains(file))]);
            ServiceRecordStore.Delete(state);
            await platform.ForgetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ServiceCommandException or IOException or UnauthorizedAccessException)
        {
        }
        return !record.Files.Any(file => !before.Contains(file) && File.Exists(file)) && ServiceRecordStore.Read(state) is null;
    }

    /// <summary>The record <see cref="WriteDefinition"/> writes for <paramref name="files"/>: the environment file first, then the definition's files.</summary>
    public static ServiceRecord RecordOf(ServiceDefinition definition, IReadOnlyList<ServiceFile> files, TimeProvider time) =>
        new(definition.Platform, definition.Scope, definition.Name,
            [definition.EnvironmentFile, .. files.Select(file => file.Path)], definition.Command, time.GetUtcNow(), GatewayVersion.Current);

    /// <summary>
    /// Writes the environment file (keeping what is in it), the rendered files (atomically, with their modes) and the record;
    /// registers, starts and stops nothing. Shared by install and <c>doctor --fix</c>'s rewrite of a drifted definition.
    /// </summary>
    public static void WriteDefinition(ServiceDefinition definition, IReadOnlyList<ServiceFile> files, ServiceRecord record)
    {
        definition.State.EnsureCreated();
        ServiceEnvironmentFileWriter.Write(definition);
        foreach (var file in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
            AtomicFile.WriteAllText(file.Path, file.Content);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file.Path, file.Mode);
            }
        }
        ServiceRecordStore.Write(definition.State, record);
    }

    public static async Task<UninstallResult> UninstallAsync(IServicePlatform platform, ServiceRecord record, Gateway.Configuration.StateDirectory state,
        CancellationToken cancellationToken)
    {
        try
        {
            await platform.DeactivateAsync(record, cancellationToken).ConfigureAwait(false);
            var removed = RemoveFiles(record.Files);
            ServiceRecordStore.Delete(state);
            await platform.ForgetAsync(cancellationToken).ConfigureAwait(false);
            return new UninstallResult.Removed(record, removed);
        }
        catch (Exception e) when (e is ServiceCommandException or IOException or UnauthorizedAccessException)
        {
            return new UninstallResult.Failed(e.Message);
        }
    }

    /// <summary><c>systemd user service clawsharp-gateway</c>, <c>launchd agent ai.clawsharp.gateway</c>, <c>Windows service ClawSharpGateway</c>.</summary>
    public static string Describe(ServiceRecord record) => record.Platform switch
    {
        ServicePlatform.Systemd => $"systemd {record.Scope.ToString().ToLowerInvariant()} service {record.Name}",
        ServicePlatform.Launchd => $"launchd {(record.Scope == ServiceScope.User ? "agent" : "daemon")} {record.Name}",
        _ => $"Windows service {record.Name}",
    };

    private static List<string> RemoveFiles(IReadOnlyList<string> files)
    {
        var removed = new List<string>();
        foreach (var path in files.Where(File.Exists))
        {
            File.Delete(path);
            removed.Add(path);
        }
        return removed;
    }
}
