using Workflows.Tests.Support;

namespace Workflows.Benchmarks;

/// <summary>
/// Prepares our engine for shared/bench/peers/run.sh: a database holding the peers' workflow
/// (code → branch → set field → respond) as a durable process, and the command and URL for the
/// harness's "custom" peer. The webhook answers with the ended task's data, as the peers do.
/// </summary>
static class ServeForPeers
{
    public const string Workflow = """
        {"title":"peers: phone","nodes":[
          {"id":"start","type":"start","exits":{"next":"code"}},
          {"id":"code","type":"code","params":{"src":"var p = String(data.phone).replace(/\\D/g, ''); if (p.charAt(0) === '8') { p = '7' + p.substring(1); } if (p.length === 10 && p.charAt(0) === '9') { p = '7' + p; } data.phone = p;"},"exits":{"next":"branch","error":"done"}},
          {"id":"branch","type":"condition","params":{"rules":[{"exit":"long","js":"data.phone.length > 11"}]},"exits":{"long":"too_long","default":"ok"}},
          {"id":"too_long","type":"set_param","params":{"values":{"status":"too_long"}},"exits":{"next":"done"}},
          {"id":"ok","type":"set_param","params":{"values":{"status":"ok"}},"exits":{"next":"done"}},
          {"id":"done","type":"final"}]}
        """;

    public static async Task Run(string[] args)
    {
        var folder = Path.GetFullPath(Args.Get(args, "dir", Path.Combine(Path.GetTempPath(), "workflows-peers")));
        var port = int.Parse(Args.Get(args, "port", "5098"), System.Globalization.CultureInfo.InvariantCulture);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        await using (var server = await ServerMeasures.Start(port, folder))
        {
            var (conv, hash) = await server.CreateProcess(Workflow);
            await File.WriteAllTextAsync(Path.Combine(folder, "peer.env"),
                $"PEER_NAME=workflows\n" +
                $"PEER_CMD=\"dotnet {Path.Combine(AppContext.BaseDirectory, "Workflows.Server.dll")} --urls http://127.0.0.1:{port} --Workflows:ConnectionString='Data Source={Path.Combine(folder, "workflows.db")}' --Workflows:PublicRequestsPerSecond=0 --Logging:LogLevel:Default=Warning\"\n" +
                $"PEER_URL={new Uri(server.BaseAddress, Workload.Webhook(conv, hash).Path)}\n");
        }
        Console.WriteLine(await File.ReadAllTextAsync(Path.Combine(folder, "peer.env")));
    }
}
