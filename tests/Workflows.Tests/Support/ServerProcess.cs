using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workflows.Tests.Support;

/// <summary>The server as its own OS process (for crash tests): started on a SQLite file, killed with SIGKILL.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    readonly Process _process;

    ServerProcess(Process process, Uri address)
    {
        _process = process;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", TestServer.AdminKey);
    }

    public HttpClient Http { get; }

    public static async Task<ServerProcess> StartAsync(string folder, params string[] settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Workflows.Server.dll"), "--urls", $"http://127.0.0.1:{port}",
                     "--Workflows:ConnectionString", $"Data Source={Path.Combine(folder, "workflows.db")}",
                     "--Workflows:ProcessesFolder", Path.Combine(folder, "none"), "--Workflows:OutboundAllow:0", "127.0.0.0/8", "--Workflows:Admin:ApiKey", TestServer.AdminKey,
                     "--Logging:LogLevel:Default", "Warning" }.Concat(settings))
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var health = await server.Http.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (process.HasExited) throw new InvalidOperationException($"the server exited with code {process.ExitCode} during start-up");
            if (DateTime.UtcNow > until) throw new TimeoutException("the server did not become ready in 60 s");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut of the process.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited) Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
