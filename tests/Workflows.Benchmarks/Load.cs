using System.Diagnostics;
using System.Text;

namespace Workflows.Benchmarks;

/// <summary>Tasks created, latency percentiles in ms, and requests that failed or did not answer as expected.</summary>
sealed record LoadResult(int Created, double P50, double P99, int Errors);

/// <summary>
/// What one request of a load is: the path on a node, the body ("$REF" becomes a ref of its own per
/// request) and the text a good answer contains. Written once for both loaders.
/// </summary>
sealed record Workload(string Path, string Body, string Expect)
{
    public const string RefMark = "$REF";

    /// <summary>A create op through the public API, each with its own ref; the answer says proc ok once the task is stored.</summary>
    public static Workload Create(long conv, string hash) => new($"/api/1/json/public/{conv}/{hash}",
        $$$"""{"ops":[{"type":"create","obj":"task","ref":"{{{RefMark}}}","data":{"name":"Ivan","phone":"89161234567"}}]}""", "\"proc\":\"ok\"");

    /// <summary>The peers' request (shared/bench/peers): the webhook answers with the ended task's data.</summary>
    public static Workload Webhook(long conv, string hash) => new($"/webhook/{conv}/{hash}?wait=10",
        """{"name":"Ivan","phone":"89161234567"}""", "\"phone\":\"79161234567\"");
}

/// <summary>
/// Load through one or more nodes at once, the total concurrency split among them: wrk (one per node)
/// where it is installed, else HttpClient in this process.
/// </summary>
static class Load
{
    public static string Default => WrkLoad.Available ? "wrk" : "dotnet";

    public static async Task<LoadResult> Run(string loader, IReadOnlyList<Uri> nodes, Workload workload, int concurrency, double seconds)
    {
        if (loader != "wrk") return await Dotnet(nodes, workload, concurrency, seconds);
        var shares = nodes.Select((node, i) => (node, c: concurrency / nodes.Count + (i < concurrency % nodes.Count ? 1 : 0))).Where(s => s.c > 0).ToList();
        var results = await Task.WhenAll(shares.Select(s => WrkLoad.Run(new Uri(s.node, workload.Path), workload, s.c, seconds)));
        if (results.Length == 1) return results[0];
        // Separate wrk processes give percentiles, not latencies: p50 weighted by requests, p99 the worst node's.
        var created = results.Sum(r => r.Created);
        return new LoadResult(created, results.Sum(r => r.P50 * r.Created) / Math.Max(1, created), results.Max(r => r.P99), results.Sum(r => r.Errors));
    }

    /// <summary>One request; null when the answer is 200 and holds the workload's expected text, else what came back.</summary>
    public static async Task<string?> Send(HttpClient http, Uri node, Workload workload, string reference)
    {
        try
        {
            using var content = new StringContent(workload.Body.Replace(Workload.RefMark, reference, StringComparison.Ordinal), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(node, workload.Path), content);
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && text.Contains(workload.Expect, StringComparison.Ordinal) ? null : $"{(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}";
        }
        catch (HttpRequestException e) { return e.Message; }
        catch (TaskCanceledException) { return "no answer within the client's timeout"; }
    }

    static async Task<LoadResult> Dotnet(IReadOnlyList<Uri> nodes, Workload workload, int concurrency, double seconds)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var all = new List<double>[concurrency];
        var errors = 0;
        string? firstError = null;
        var run = Stopwatch.GetTimestamp();
        // Worker w loads node w % N, so the nodes share the concurrency evenly.
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = all[w] = new List<double>(100_000);
            var n = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                if (await Send(http, nodes[w % nodes.Count], workload, $"w{run}-{w}-{n++}") is { } error)
                {
                    if (Interlocked.Increment(ref errors) == 1) firstError = error;
                    continue;
                }
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        if (firstError is not null) Console.Error.WriteLine($"first error of {errors}: {firstError}");
        var latencies = all.SelectMany(l => l).Order().ToList();
        return new LoadResult(latencies.Count, Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 99), errors);
    }
}
