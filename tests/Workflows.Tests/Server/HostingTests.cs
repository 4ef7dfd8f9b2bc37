using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Workflows.Server;
using Workflows.Tests.Support;

namespace Workflows.Tests.Server;

/// <summary>The server listens where ASP.NET Core's usual settings say, as a container platform sets them.</summary>
[Category(Categories.Slow)]
public sealed class HostingTests
{
    static string NewFolder() => Path.Combine(Path.GetTempPath(), "workflows-tests", Guid.NewGuid().ToString("n"));

    [Test]
    public async Task ASPNETCORE_URLS_decides_where_the_server_listens()
    {
        var port = ServerProcess.FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        await using var server = await ServerProcess.StartWithEnvironmentAsync(NewFolder(), address,
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = address.ToString() });
        using var health = await server.Http.GetAsync("/health");
        Assert.That((int)health.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task ASPNETCORE_HTTP_PORTS_decides_the_port()
    {
        var port = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartWithEnvironmentAsync(NewFolder(), new Uri($"http://127.0.0.1:{port}"),
            new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var health = await server.Http.GetAsync("/health");
        Assert.That((int)health.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task Without_any_address_the_server_serves_127_0_0_1_port_5080()
    {
        Assume.That(Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"), Is.Null);
        var folder = NewFolder();
        await using var app = WorkflowsApp.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Workflows:ConnectionString"] = $"Data Source={Path.Combine(folder, "workflows.db")}",
        }));
        Assert.That(app.Configuration[WebHostDefaults.ServerUrlsKey], Is.EqualTo("http://127.0.0.1:5080"));

        // Given on the command line, --urls wins over the default.
        await using var told = WorkflowsApp.Build(["--urls", "http://127.0.0.1:5999"], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Workflows:ConnectionString"] = $"Data Source={Path.Combine(folder, "workflows.db")}",
        }));
        Assert.That(told.Configuration[WebHostDefaults.ServerUrlsKey], Is.EqualTo("http://127.0.0.1:5999"));
    }
}
