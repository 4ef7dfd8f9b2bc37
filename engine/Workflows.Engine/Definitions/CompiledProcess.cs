using FluentValidation;
using Workflows.Engine.Nodes;
using Workflows.Engine.Scripting;

namespace Workflows.Engine.Definitions;

/// <summary>A node ready to run: its type, its prepared parameters and where each exit leads.</summary>
public sealed record CompiledNode(NodeDefinition Definition, NodeType Type, object? Prepared)
{
    public string Id => Definition.Id;
    public NodeKind Kind => Type.Description.Kind;
    public string? Next(string exit) => Definition.Exits.GetValueOrDefault(exit);
}

/// <summary>One version of a process, validated and compiled once, shared by all its tasks.</summary>
public sealed class CompiledProcess
{
    public required long ConvId { get; init; }
    public required int Version { get; init; }
    public required ProcessDefinition Definition { get; init; }
    public required IReadOnlyDictionary<string, CompiledNode> Nodes { get; init; }
    /// <summary>Null only for a broken process, which takes no tasks.</summary>
    public required CompiledNode? Start { get; init; }
    public int LoopLimit { get; init; }
    public int TaskSizeLimit { get; init; }
    /// <summary>What the validator accepted but reports (nodes no path reaches).</summary>
    public IReadOnlyList<DefinitionError> Warnings { get; init; } = [];

    public CompiledNode? Node(string id) => Nodes.GetValueOrDefault(id);

    /// <summary>What a stored process that cannot be compiled keeps: its definition to show and fix, and no nodes to run.</summary>
    public static CompiledProcess Broken(ProcessDefinition definition, long convId, int version) => new()
    {
        ConvId = convId, Version = version, Definition = definition, Nodes = new Dictionary<string, CompiledNode>(), Start = null,
    };
}

/// <summary>Turns a definition into a <see cref="CompiledProcess"/>, or into the full list of its errors.</summary>
public sealed class ProcessCompiler(NodeCatalog catalog, ScriptHost scripts, EngineOptions options)
{
    readonly ProcessValidator _validator = new(catalog, scripts);

    public NodeCatalog Catalog => catalog;

    public IReadOnlyList<DefinitionError> Validate(ProcessDefinition definition) => Check(definition).Errors;

    /// <summary>Errors (the definition is refused) and warnings (it is accepted, with these remarks).</summary>
    public (IReadOnlyList<DefinitionError> Errors, IReadOnlyList<DefinitionError> Warnings) Review(ProcessDefinition definition)
    {
        var (errors, warnings, _) = Check(definition);
        return (errors, warnings);
    }

    public CompiledProcess Compile(ProcessDefinition definition, long convId, int version)
    {
        var (errors, warnings, prepared) = Check(definition);
        if (errors.Count > 0) throw new DefinitionException(errors);
        var nodes = definition.Nodes.ToDictionary(n => n.Id, n => new CompiledNode(n, catalog.Find(n.Type)!, prepared[n.Id]));
        return new CompiledProcess
        {
            ConvId = convId,
            Version = version,
            Definition = definition,
            Nodes = nodes,
            Start = nodes.Values.Single(n => n.Type is StartNode),
            LoopLimit = definition.Settings?.LoopLimit ?? options.LoopLimit,
            TaskSizeLimit = definition.Settings?.TaskSizeLimit ?? options.TaskSizeLimit,
            Warnings = warnings,
        };
    }

    (List<DefinitionError> Errors, List<DefinitionError> Warnings, Dictionary<string, object?> Prepared) Check(ProcessDefinition definition)
    {
        var context = new ValidationContext<ProcessDefinition>(definition);
        var result = _validator.Validate(context);
        List<DefinitionError> Of(bool warning) => result.Errors.Where(f => (f.Severity == Severity.Warning) == warning)
            .Select(f => new DefinitionError(f.CustomState as string, f.PropertyName, f.ErrorMessage)).ToList();
        var prepared = context.RootContextData.TryGetValue(ProcessValidator.PreparedKey, out var p) ? (Dictionary<string, object?>)p : [];
        return (Of(false), Of(true), prepared);
    }
}

/// <summary>A definition with mistakes; carries all of them.</summary>
public sealed class DefinitionException(IReadOnlyList<DefinitionError> errors)
    : Exception($"The process definition has {errors.Count} error(s): {string.Join("; ", errors.Take(5))}")
{
    public IReadOnlyList<DefinitionError> Errors => errors;
}
