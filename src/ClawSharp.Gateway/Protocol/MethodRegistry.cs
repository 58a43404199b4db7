using System.Text.Json;

namespace ClawSharp.Gateway.Protocol;

/// <summary>The connection a method call arrived on: <paramref name="Scopes"/> are those granted, within what <paramref name="Credential"/> holds.</summary>
internal sealed record CallerInfo(string ConnectionId, string ClientId, string? RemoteAddress, IReadOnlySet<string> Scopes, Credential Credential);

/// <summary>One request: its params (Undefined when absent) and its caller.</summary>
internal sealed record MethodCall(string Method, JsonElement Params, CallerInfo Caller);

internal delegate ValueTask<MethodResult> MethodHandler(MethodCall call, CancellationToken cancellationToken);

/// <summary>A row of the dispatch table: name, least scope, handler, and the params names it takes (from <see cref="Methods.MethodParamNames"/>).</summary>
internal sealed record MethodDescriptor(string Name, string Scope, MethodHandler Handler)
{
    public IReadOnlySet<string> ParamNames { get; } = Methods.MethodParamNames.Of(Name);
}

/// <summary>
/// Table-driven method dispatch: each feature adds its rows, so a scope per method is one
/// column and <c>hello-ok.features.methods</c> is exactly the table's names.
/// </summary>
internal sealed class MethodRegistry
{
    private readonly Dictionary<string, MethodDescriptor> methods = new(StringComparer.Ordinal);

    public MethodRegistry Add(MethodDescriptor descriptor)
    {
        methods.Add(descriptor.Name, descriptor);
        return this;
    }

    public bool TryGet(string name, out MethodDescriptor descriptor) => methods.TryGetValue(name, out descriptor!);

    public IReadOnlyList<string> Names => [.. methods.Keys.Order(StringComparer.Ordinal)];
}
