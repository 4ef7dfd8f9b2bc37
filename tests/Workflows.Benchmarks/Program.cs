using BenchmarkDotNet.Jobs;
using Workflows.Benchmarks;

// One command per scenario; results go to the console as markdown rows for docs/performance.md.
var mode = args.FirstOrDefault() ?? "help";
var rest = args.Skip(1).ToArray();
switch (mode)
{
    case "e2e": await EndToEnd.Run(rest); break;
    case "engine": await EngineOnly.Run(rest); break;
    case "sleepers": await Sleepers.Run(rest); break;
    case "code":
        // In-process toolchain: the registry here lacks what BenchmarkDotNet's out-of-process build needs.
        BenchmarkDotNet.Running.BenchmarkRunner.Run<CodeNodeBenchmark>(BenchmarkDotNet.Configs.ManualConfig.Create(BenchmarkDotNet.Configs.DefaultConfig.Instance)
            .AddJob(Job.ShortRun.WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance)), rest);
        break;
    case "peers": await ServeForPeers.Run(rest); break;
    case "cluster": await Cluster.Run(rest); break;
    default:
        Console.WriteLine("""
            usage: dotnet run -c Release --project tests/Workflows.Benchmarks -- MODE [options]
              e2e       [--levels 1,8,64] [--seconds 20] [--warmup 20] [--loader wrk|dotnet]   public API load through the 6-node process (server in its own process)
              engine    [--tasks 200000] [--nodes 10]      node steps per second with durable commits, no HTTP
              sleepers  [--tasks 1000000] [--down-at-due] [--warm-wave N]  tasks parked in a delay: memory, database size, restart time, wake lateness p50/p99 (running, or stopped as they fall due)
              code                                         code node evaluations per second (BenchmarkDotNet)
              peers     [--dir D] [--port 5098]            a database with the peers' workflow, and the PEER_CMD/PEER_URL for shared/bench/peers/run.sh custom
              cluster   --connection "Host=...;Port=...;Database=D;Username=..." [--nodes 1,3] [--concurrency 64] [--seconds 20] [--warmup 10] [--warmup-max 180] [--workflow peers|six] [--loader wrk|dotnet]
                                                           N engine nodes on one PostgreSQL (database D dropped and created for each N), load through all at once
            """);
        break;
}
