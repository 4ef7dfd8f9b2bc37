using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Workflows.Tests.Support;

/// <summary>
/// The server as its own OS process on a SQLite file in <see cref="Folder"/>: for the crash test
/// (killed with SIGKILL) and the benchmarks (which link this file and measure the process by <see cref="Pid"/>).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>The admin API key the process is started with; <see cref="Http"/> sends it.</summary>
    public const string AdminKey = "wfk_process_admin_key";

    readonly Process _process;

    ServerProcess(Process process, Uri address, string folder)
    {
        _process = process;
        Folder = folder;
        BaseAddress = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public HttpClient Http { get; }
    public Uri BaseAddress { get; }
    public string Folder { get; }
    public int Pid => _process.Id;
    /// <summary>From spawn to the first ready /health.</summary>
    public TimeSpan ReadyAfter { get; private set; }

    /// <summary>Starts the server (port 0 = a free one) with extra settings as "--Key", "value" pairs.</summary>
    public static Task<ServerProcess> StartAsync(string folder, int port = 0, params string[] settings)
    {
        if (port == 0) port = FreePort();
        return LaunchAsync(folder, new Uri($"http://127.0.0.1:{port}"), new Dictionary<string, string>(), ["--urls", $"http://127.0.0.1:{port}", .. settings]);
    }

    /// <summary>
    /// Starts the server told where to listen by its environment only (as a container platform does),
    /// and waits until it answers at <paramref name="address"/>.
    /// </summary>
    public static Task<ServerProcess> StartWithEnvironmentAsync(string folder, Uri address, IReadOnlyDictionary<string, string> environment, params string[] settings) =>
        LaunchAsync(folder, address, environment, settings);

    static async Task<ServerProcess> LaunchAsync(string folder, Uri address, IReadOnlyDictionary<string, string> environment, string[] settings)
    {
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Workflows.Server.dll"),
                     "--Workflows:ConnectionString", $"Data Source={Path.Combine(folder, "workflows.db")}",
                     "--Workflows:ProcessesFolder", Path.Combine(folder, "none"), "--Workflows:OutboundAllow:0", "127.0.0.0/8",
                     "--Workflows:Admin:ApiKey", AdminKey, "--Logging:LogLevel:Default", "Warning" }.Concat(settings))
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        info.Environment["DOTNET_gcServer"] = "1";
        var watch = Stopwatch.StartNew();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("server: " + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, address, folder);
        var until = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                using var health = await server.Http.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (process.HasExited) throw new InvalidOperationException($"the server exited with code {process.ExitCode} during start-up");
            if (DateTime.UtcNow > until) throw new TimeoutException("the server did not become ready in 120 s");
            await Task.Delay(50);
        }
        server.ReadyAfter = watch.Elapsed;
        return server;
    }

    /// <summary>SIGTERM and wait: the server stops as it would in production.</summary>
    public void Stop()
    {
        if (_process.HasExited) return;
        Signal("-TERM");
        if (!_process.WaitForExit(30_000)) Kill();
    }

    /// <summary>SIGSTOP, then SIGCONT with <see cref="Resume"/>: the process is frozen, as in a long GC pause or a network split.</summary>
    public void Pause() => Signal("-STOP");

    public void Resume() => Signal("-CONT");

    /// <summary>Whether the process ended by itself within <paramref name="timeout"/>.</summary>
    public bool ExitsWithin(TimeSpan timeout) => _process.WaitForExit(timeout);

    void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut of the process.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public static int FreePort()
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
