using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;
using Workflows.Engine.Scheduling;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Runtime;
using Workflows.Engine.Scripting;
using Workflows.Engine.Store;

namespace Workflows.Engine;

public static class EngineServices
{
    /// <summary>Registers the engine: store, compiler, runner and the hosted service that starts them.</summary>
    public static IServiceCollection AddWorkflowsEngine(this IServiceCollection services, EngineOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton<IClock, SystemClock>();
        var store = StoreProvider.For(options);
        services.AddSingleton(_ => store); // by factory, so the container disposes it
        services.AddSingleton<IDbContextFactory<WorkflowsDb>>(new StoreDbFactory(store));
        // No per-request logging handlers: they cost more than the call itself on a busy engine, and URLs may carry tokens.
        services.AddHttpClient(NodeHttp.ClientName).RemoveAllLoggers().ConfigurePrimaryHttpMessageHandler(() => Security.OutboundGuard.CreateHandler(options));
        services.AddSingleton<ScriptHost>();
        services.AddBuiltInNodes();
        services.AddSingleton(sp => new NodeCatalog(sp.GetServices<NodeType>()));
        services.AddSingleton<NodeHttp>();
        services.AddSingleton<ProcessCompiler>();
        services.AddSingleton<NodeCounters>();
        services.AddSingleton<NodeSums>();
        services.AddSingleton<LiveCounters>();
        services.AddSingleton<EngineMetrics>();
        services.AddSingleton<ActiveRefs>();
        services.AddSingleton(sp => store.CreateMembership(sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        services.AddSingleton<IdGenerator>();
        services.AddSingleton<TaskWriter>();
        services.AddSingleton<ProcessRegistry>();
        services.AddSingleton<Variables.EnvironmentVariables>();
        services.AddSingleton<TaskQueue>();
        services.AddSingleton<PausedTasks>();
        services.AddSingleton<EndWatchers>();
        services.AddSingleton<TaskIntake>();
        services.AddSingleton<CountLimits>();
        services.AddSingleton<QueueTaker>();
        services.AddSingleton<NodeServices>();
        services.AddSingleton<TaskRunner>();
        services.AddSingleton<TaskService>();
        services.AddSingleton<TaskWaker>();
        services.AddSingleton<TimerService>();
        services.AddSingleton<RetentionService>();
        services.AddSingleton<ProcessSchedules>();
        services.AddSingleton<EngineHost>();
        services.AddHostedService(sp => sp.GetRequiredService<EngineHost>());
        // Scheduled starts: Quartz with its tables in the engine's own database (clusterable on PostgreSQL).
        services.AddQuartz(q =>
        {
            q.UseInstanceIdGenerator<InstanceIds>(); // a clustered store tells its nodes apart by it
            q.UsePersistentStore(store.ConfigureQuartz);
        });
        services.AddQuartzHostedService(q => q.WaitForJobsToComplete = false);
        return services;
    }
}
