using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Engine.Nodes;
using Workflows.Engine.Scripting;

namespace Workflows.Engine.Runtime;

/// <summary>The engine's side of <see cref="StepContext"/>'s capabilities; nodes reach it only through the step.</summary>
public sealed class NodeServices(ScriptHost scripts, NodeHttp http, IClock clock, ProcessRegistry processes, Variables.EnvironmentVariables env, IServiceProvider provider)
{
    public Variables.EnvironmentVariables Env => env;
    // Resolved on use: the runner needs these services and they need the runner.
    TaskService Tasks => provider.GetRequiredService<TaskService>();
    TaskWaker Waker => provider.GetRequiredService<TaskWaker>();

    public ScriptHost Scripts => scripts;
    public NodeHttp Http => http;
    public IClock Clock => clock;

    public long? FindProcess(string text)
    {
        text = text.Trim();
        if (text.StartsWith('@')) return processes.FindByAlias(text[1..])?.ConvId;
        return long.TryParse(text, out var convId) && processes.Find(convId) is not null ? convId : processes.FindByAlias(text)?.ConvId;
    }

    public string? CallbackPath(long convId, string nodeId) =>
        processes.Find(convId) is { } process ? $"/api/1/json/callback/{convId}/{process.Row.Hash}/{Uri.EscapeDataString(nodeId)}" : null;

    public Task<CreateOutcome> CreateTaskAsync(long convId, string? reference, JsonObject data, long? replyTo, int depth, CancellationToken cancel) =>
        Tasks.CreateFromTaskAsync(convId, reference, data, replyTo, depth, cancel);

    public long? ActiveTaskByRef(long convId, string reference) => Tasks.ActiveByRef(convId, reference);

    public Task<WakeResult> SendToWaitingTaskAsync(long taskId, JsonObject data, CancellationToken cancel) =>
        Waker.CallbackAsync(taskId, data, cancel: cancel);

    public Task<WakeResult> ReplyAsync(long callerId, string calleeObjId, JsonObject data, NodeError? exception, CancellationToken cancel) =>
        Waker.ReplyAsync(callerId, calleeObjId, data, exception, cancel);
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
