using System.Diagnostics;

namespace Workflows.Benchmarks;

/// <summary>
/// The peers' workflow (shared/bench/peers: code → branch → set field → respond) on our engine, durable,
/// behind a proxy path the harness can call: POST /bench answers the ended task's data.
/// </summary>
static class ServeForPeers
{
    public static async Task Run(string[] args)
    {
        var port = int.Parse(Args.Get(args, "port", "5098"));
        await using var server = await ServerProcess.Start(port);
        var (conv, hash) = await server.CreateProcess("""
            {"title":"peers: phone","nodes":[
              {"id":"start","type":"start","exits":{"next":"code"}},
              {"id":"code","type":"code","params":{"src":"var p = String(data.phone).replace(/\\D/g, ''); if (p.charAt(0) === '8') { p = '7' + p.substring(1); } if (p.length === 10 && p.charAt(0) === '9') { p = '7' + p; } data.phone = p;"},"exits":{"next":"branch","error":"done"}},
              {"id":"branch","type":"condition","params":{"rules":[{"exit":"long","js":"data.phone.length > 11"}]},"exits":{"long":"too_long","default":"ok"}},
              {"id":"too_long","type":"set_param","params":{"values":{"status":"too_long"}},"exits":{"next":"done"}},
              {"id":"ok","type":"set_param","params":{"values":{"status":"ok"}},"exits":{"next":"done"}},
              {"id":"done","type":"final"}]}
            """);
        Console.WriteLine($"PEER_URL=http://127.0.0.1:{port}/webhook/{conv}/{hash}?wait=10");
        Console.WriteLine("Leave this running and call shared/bench/peers/run.sh custom with that URL; Ctrl+C stops.");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        await stop.Task;
        _ = Stopwatch.StartNew();
    }
}
