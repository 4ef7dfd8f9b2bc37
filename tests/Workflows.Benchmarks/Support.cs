using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

using Workflows.Tests.Support;

namespace Workflows.Benchmarks;

static class Args
{
    public static string Get(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>Server settings given as --Workflows:Key=value, passed on to every server started.</summary>
    public static string[] Settings(string[] args) =>
        [.. args.Where(a => a.StartsWith("--Workflows:", StringComparison.Ordinal)).SelectMany(a => a.Split('=', 2))];
}

/// <summary>What the benchmarks read of the server process (tests/Workflows.Tests/Support/ServerProcess.cs, linked).</summary>
static class ServerMeasures
{
    public static Task<ServerProcess> Start(int port, string? folder = null, params string[] extra) =>
        ServerProcess.StartAsync(folder ?? Path.Combine(Path.GetTempPath(), "workflows-bench", Guid.NewGuid().ToString("n")), port,
            ["--Workflows:PublicRequestsPerSecond", "0", "--Workflows:UserRequestsPerSecond", "0", .. extra]);

    public static async Task<(long ConvId, string Hash)> CreateProcess(this ServerProcess server, string definition)
    {
        using var content = new StringContent(definition, Encoding.UTF8, "application/json");
        using var response = await server.Http.PostAsync("/api/processes", content);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException(body.ToJsonString());
        return ((long)body["conv_id"]!, (string)body["hash"]!);
    }

    public static async Task<JsonNode> Counters(this ServerProcess server, long convId) =>
        (await server.Http.GetFromJsonAsync<JsonNode>($"/api/processes/{convId}/counters"))!;

    /// <summary>CPU seconds used so far (user + system).</summary>
    public static double CpuSeconds(this ServerProcess server) => ProcCpu.Seconds(server.Pid);

    /// <summary>Peak resident memory in MiB since the last reset.</summary>
    public static double PeakMiB(this ServerProcess server) => Kib(server, "VmHWM") / 1024.0;
    public static double RssMiB(this ServerProcess server) => Kib(server, "VmRSS") / 1024.0;

    public static void ResetPeak(this ServerProcess server)
    {
        try { File.WriteAllText($"/proc/{server.Pid}/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static long Kib(ServerProcess server, string key) => File.ReadLines($"/proc/{server.Pid}/status")
        .Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(':', StringSplitOptions.TrimEntries)[1].Split(' ')[0], CultureInfo.InvariantCulture)).FirstOrDefault();
}

/// <summary>CPU time of processes, read from /proc (Linux).</summary>
static class ProcCpu
{
    /// <summary>User + system seconds of a live process; with <paramref name="reaped"/>, of its children that ended and were waited for instead.</summary>
    public static double Seconds(int pid, bool reaped = false)
    {
        var fields = Fields(pid);
        var first = reaped ? 13 : 11; // utime, stime; cutime, cstime (fields 14-17 of proc(5), counted after the name)
        return fields is null ? 0 : (long.Parse(fields[first], CultureInfo.InvariantCulture) + long.Parse(fields[first + 1], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>A process's own CPU, its ended children's and its live children's: all of PostgreSQL when given the postmaster.</summary>
    public static double TreeSeconds(int pid)
    {
        var total = Seconds(pid) + Seconds(pid, reaped: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var child) && Fields(child) is { } f && f[1] == pid.ToString(CultureInfo.InvariantCulture))
                total += Seconds(child);
        return total;
    }

    /// <summary>The parent's process id.</summary>
    public static int Parent(int pid) => Fields(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : 0;

    /// <summary>The fields of /proc/PID/stat after the command name (state first), or null once the process is gone.</summary>
    static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
    }
}

static class Stats
{
    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
