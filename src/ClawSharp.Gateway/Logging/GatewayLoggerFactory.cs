using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

namespace ClawSharp.Gateway.Logging;

/// <summary>
/// The process's <see cref="ILoggerFactory"/>, which can also begin the log file: the
/// generation starter holds only the factory, and it is the one that knows when this process
/// owns the state directory's lock.
/// </summary>
internal sealed class GatewayLoggerFactory(SerilogLoggerFactory inner, Action beginFileLogging) : ILoggerFactory
{
    /// <summary>Starts writing <c>logs/gateway.log</c> (see <see cref="GatewayLogging.BeginFileLogging"/>).</summary>
    public void BeginFileLogging() => beginFileLogging();

    public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}
