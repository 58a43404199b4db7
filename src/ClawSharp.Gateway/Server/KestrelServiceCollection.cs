using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClawSharp.Gateway.Server;

/// <summary>
/// Kestrel's own services (what its HTTPS support resolves from <c>KestrelServerOptions.ApplicationServices</c>)
/// without a host: Kestrel registers them only through <see cref="IWebHostBuilder"/> extensions
/// (<c>UseKestrelCore</c>, <c>UseKestrelHttpsConfiguration</c>), so this builder takes their
/// service registrations into a plain collection and does nothing else: it builds no host.
/// </summary>
internal sealed class KestrelServiceCollection(IServiceCollection services) : IWebHostBuilder
{
    public IWebHostBuilder ConfigureServices(Action<IServiceCollection> configureServices)
    {
        configureServices(services);
        return this;
    }

    public IWebHostBuilder ConfigureServices(Action<WebHostBuilderContext, IServiceCollection> configureServices) =>
        throw new NotSupportedException("Kestrel's registration asked for a host context; the gateway builds no host");

    public IWebHostBuilder ConfigureAppConfiguration(Action<WebHostBuilderContext, IConfigurationBuilder> configureDelegate) =>
        throw new NotSupportedException("the gateway builds no host configuration");

    // The interface still names the obsolete IWebHost; this builder never builds one.
#pragma warning disable ASPDEPR008
    public IWebHost Build() => throw new NotSupportedException("the gateway builds no web host");
#pragma warning restore ASPDEPR008

    public string? GetSetting(string key) => null;

    public IWebHostBuilder UseSetting(string key, string? value) => this;
}
