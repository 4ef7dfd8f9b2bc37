using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Workflows.Benchmarks;

/// <summary>Tasks created, latency percentiles in ms, and requests that failed or did not answer proc ok.</summary>
sealed record LoadResult(int Created, double P50, double P99, int Errors);

/// <summary>
/// The e2e load from wrk, a separate C process: one create op a request, each with its own ref,
/// and every answer checked for "proc":"ok".
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
          prefix = args[1] .. "-" .. tid .. "-"
          n, bad = 0, 0
        end
        function request()
          n = n + 1
          local body = '{"ops":[{"type":"create","obj":"task","ref":"' .. prefix .. n .. '","data":{"name":"Ivan","phone":"89161234567"}}]}'
          return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
        end
        function response(status, headers, body)
          if status ~= 200 or not string.find(body, '"proc":"ok"', 1, true) then bad = bad + 1 end
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

    public static async Task<LoadResult> Run(Uri url, int concurrency, double seconds)
    {
        var script = ScriptFile.Value;
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t", Math.Min(concurrency, 2).ToString(CultureInfo.InvariantCulture), "-c", concurrency.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{Math.Max(1, (int)Math.Round(seconds))}s", "--timeout", "30s", "-s", script, url.ToString(), "--", $"r{Stopwatch.GetTimestamp()}" })
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
