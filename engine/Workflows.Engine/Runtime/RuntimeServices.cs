using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Workflows.Engine.Scripting;

namespace Workflows.Engine.Runtime;

/// <summary>The engine's shared services that nodes use while they execute.</summary>
public sealed class RuntimeServices(ScriptHost scripts, IHttpClientFactory http, IClock clock, EngineOptions options, IServiceProvider provider)
{
    // Resolved on use: the runner needs these services and they need the runner.
    public TaskService Tasks => provider.GetRequiredService<TaskService>();
    public ProcessRegistry Processes => provider.GetRequiredService<ProcessRegistry>();
    public TaskWaker Waker => provider.GetRequiredService<TaskWaker>();

    public ScriptHost Scripts => scripts;
    public IHttpClientFactory Http => http;
    public IClock Clock => clock;
    public EngineOptions Options => options;
}

/// <summary>The engine's clock; tests swap it for one they control.</summary>
public interface IClock
{
    DateTimeOffset UtcNow { get; }
}

public sealed class SystemClock : IClock
{
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}
