using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Workflows.Benchmarks;

static class Args
{
    public static string Get(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}

/// <summary>The server under test in its own process, on a fresh SQLite file.</summary>
sealed class ServerProcess : IAsyncDisposable
{
    readonly Process _process;
    public string Folder { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public int Pid => _process.Id;
    const string AdminKey = "wfk_benchmark_admin_key";

    ServerProcess(Process process, string folder, Uri address)
    {
        _process = process;
        Folder = folder;
        BaseAddress = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public static async Task<ServerProcess> Start(int port, string? folder = null, params string[] extra)
    {
        folder ??= Path.Combine(Path.GetTempPath(), "workflows-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var dll = Path.Combine(AppContext.BaseDirectory, "Workflows.Server.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--Workflows:ConnectionString", $"Data Source={Path.Combine(folder, "workflows.db")}",
                     "--Workflows:ProcessesFolder", Path.Combine(folder, "none"), "--Logging:LogLevel:Default", "Warning",
                     "--Workflows:OutboundAllow:0", "127.0.0.0/8", "--Workflows:PublicRequestsPerSecond", "0", "--Workflows:Admin:ApiKey", AdminKey }.Concat(extra))
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase)) Console.Error.WriteLine("server: " + line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine("server: " + line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, folder, new Uri($"http://127.0.0.1:{port}"));
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var health = await server.Http.GetAsync("/health");
                if (health.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (process.HasExited) throw new InvalidOperationException("the server exited during start-up");
            if (watch.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException("the server did not become ready");
            await Task.Delay(50);
        }
        server.ReadyAfter = watch.Elapsed;
        return server;
    }

    public TimeSpan ReadyAfter { get; private set; }

    public async Task<(long ConvId, string Hash)> CreateProcess(string definition)
    {
        using var response = await Http.PostAsync("/api/processes", new StringContent(definition, Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException(body.ToJsonString());
        return ((long)body["conv_id"]!, (string)body["hash"]!);
    }

    public async Task<JsonNode> Counters(long convId) => (await Http.GetFromJsonAsync<JsonNode>($"/api/processes/{convId}/counters"))!;

    /// <summary>CPU seconds used so far (user + system).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }

    /// <summary>Peak resident memory in MiB since the last reset.</summary>
    public double PeakMiB() => Kib("VmHWM") / 1024.0;
    public double RssMiB() => Kib("VmRSS") / 1024.0;
    public void ResetPeak() { try { File.WriteAllText($"/proc/{Pid}/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { } }

    long Kib(string key) => File.ReadLines($"/proc/{Pid}/status").Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(':', StringSplitOptions.TrimEntries)[1].Split(' ')[0])).FirstOrDefault();

    public async Task Stop()
    {
        if (_process.HasExited) return;
        Process.Start("kill", ["-TERM", Pid.ToString()])!.WaitForExit();
        if (!_process.WaitForExit(30_000)) _process.Kill(entireProcessTree: true);
        await Task.CompletedTask;
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Stop();
        _process.Dispose();
    }
}

static class Stats
{
    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
