using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;

namespace Workflows.Engine.Nodes;

/// <summary>
/// A node type: its description (parameters and exits, from which the designer builds its form)
/// plus how to prepare a configured node and execute it for one task.
/// </summary>
public abstract class NodeType
{
    public abstract NodeDescription Description { get; }

    public string Name => Description.Type;

    /// <summary>The exits a configured node has (a condition node adds one per rule).</summary>
    public virtual IEnumerable<ExitSpec> ExitsOf(NodeDefinition node) => Description.Exits;

    /// <summary>
    /// Checks the node's parameters and compiles them (templates, scripts, regexps) once per
    /// process version. Problems go to <paramref name="errors"/>; the result is handed back to
    /// <see cref="ExecuteAsync"/> for every task.
    /// </summary>
    public abstract object? Prepare(NodeDefinition node, PrepareContext context);

    public abstract ValueTask<NodeOutcome> ExecuteAsync(StepContext step, object? prepared);
}

/// <summary>A node type whose prepared form is a typed object.</summary>
public abstract class NodeType<TPrepared> : NodeType where TPrepared : class
{
    public sealed override object? Prepare(NodeDefinition node, PrepareContext context) => PrepareNode(node, context);

    public sealed override ValueTask<NodeOutcome> ExecuteAsync(StepContext step, object? prepared) =>
        Execute(step, (TPrepared)prepared!);

    protected abstract TPrepared? PrepareNode(NodeDefinition node, PrepareContext context);

    protected abstract ValueTask<NodeOutcome> Execute(StepContext step, TPrepared node);
}

/// <summary>How the runner treats a node: instant steps chain in memory, effects run after a commit, waits park the task.</summary>
public enum NodeKind { Instant, Effect, Wait, Final }

/// <summary>
/// What a node type is, for everyone but the runner: the palette entry, the parameters, the exits.
/// <paramref name="ExitsFromParams"/>: the node adds exits named by its parameters (a condition's rules).
/// <paramref name="ParamsRule"/>: JSON Schema keywords that tie parameters together (exactly one of
/// seconds and until, say), merged into the generated schema's params object.
/// </summary>
public sealed record NodeDescription(
    string Type,
    string Title,
    string Category,
    string Icon,
    NodeKind Kind,
    IReadOnlyList<ParamSpec> Parameters,
    IReadOnlyList<ExitSpec> Exits,
    string? ErrorKind = null,
    string? Help = null,
    bool ExitsFromParams = false,
    JsonObject? ParamsRule = null);

public sealed record ExitSpec(string Name, string Label, bool Required = true);

public static class Exits
{
    public const string Next = "next";
    public const string Error = "error";
    public const string Default = "default";
    public const string Timeout = "timeout";

    public static readonly ExitSpec NextExit = new(Next, "Next");
    public static readonly ExitSpec ErrorExit = new(Error, "Error");
}

public sealed record DefinitionError(string? NodeId, string Field, string Message)
{
    public override string ToString() => NodeId is null ? $"{Field}: {Message}" : $"node '{NodeId}', {Field}: {Message}";
}
