namespace ClawSharp.Control.Services;

/// <summary>One file a service definition consists of, as it will be written.</summary>
/// <param name="Path">Where it goes.</param>
/// <param name="Content">Its whole text.</param>
/// <param name="Mode">Its permissions (Unix); owner-only for anything that may hold a secret.</param>
internal sealed record ServiceFile(string Path, string Content, UnixFileMode Mode);
