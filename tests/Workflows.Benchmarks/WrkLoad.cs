using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Workflows.Benchmarks;

/// <summary>
/// The load from wrk, a separate C process: the workload's body (its "$REF" a ref of its own per
/// request), every answer checked for the workload's expected text.
/// </summary>
static partial class WrkLoad
{
    public static bool Available => Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(dir => File.Exists(Path.Combine(dir, "wrk")));

    const string Script = """
        local threads, count = {}, 0
        function setup(thread)
          count = count + 1
          thread:set("tid", count)
          table.insert(threads, thread)
        end
        function init(args)
          prefix, expect, template = args[1] .. "-" .. tid .. "-", args[2], args[3]
          n, bad = 0, 0
        end
        function request()
          n = n + 1
          local body = string.gsub(template, "%$REF", prefix .. n)
          return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
        end
        function response(status, headers, body)
          if status ~= 200 or not string.find(body, expect, 1, true) then bad = bad + 1 end
        end
        function done(summary, latency, requests)
          local bad = 0
          for _, thread in ipairs(threads) do bad = bad + thread:get("bad") end
          local e = summary.errors
          io.write(string.format("RESULT requests=%d bad=%d errors=%d p50=%.3f p99=%.3f\n", summary.requests, bad,
            e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
        end
        """;

    static readonly Lazy<string> ScriptFile = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"workflows-e2e-{Environment.ProcessId}.lua");
        File.WriteAllText(path, Script);
        return path;
    });

    static int _runs;

    public static async Task<LoadResult> Run(Uri url, Workload workload, int concurrency, double seconds)
    {
        var script = ScriptFile.Value;
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t", Math.Min(concurrency, 2).ToString(CultureInfo.InvariantCulture), "-c", concurrency.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{Math.Max(1, (int)Math.Round(seconds))}s", "--timeout", "30s", "-s", script, url.ToString(),
                     "--", $"r{Stopwatch.GetTimestamp()}-{Interlocked.Increment(ref _runs)}", workload.Expect, workload.Body })
            info.ArgumentList.Add(arg);
        using var wrk = Process.Start(info)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        var errors = await wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var m = ResultLine().Match(output);
        if (!m.Success) throw new InvalidOperationException($"wrk printed no result: {output}{errors}");
        double D(string name) => double.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture);
        var failed = (int)(D("bad") + D("errors"));
        return new LoadResult((int)D("requests") - (int)D("bad"), D("p50"), D("p99"), failed);
    }

    [GeneratedRegex(@"RESULT requests=(?<requests>\d+) bad=(?<bad>\d+) errors=(?<errors>\d+) p50=(?<p50>[\d.]+) p99=(?<p99>[\d.]+)")]
    private static partial Regex ResultLine();
}
