using Microsoft.Extensions.DependencyInjection;

namespace Workflows.Engine.Nodes;

/// <summary>Every node type the engine knows, built-in and connector; the designer's palette comes from here.</summary>
public sealed class NodeCatalog
{
    readonly Dictionary<string, NodeType> _types = new(StringComparer.Ordinal);

    public NodeCatalog(IEnumerable<NodeType> types)
    {
        foreach (var type in types)
            if (!_types.TryAdd(type.Name, type))
                throw new InvalidOperationException($"Two node types are named '{type.Name}'.");
    }

    /// <summary>The engine's own node types, without a container (the importer checks nodes with them).</summary>
    public static IEnumerable<NodeType> BuiltIn()
    {
        using var provider = new ServiceCollection().AddBuiltInNodes().BuildServiceProvider();
        return provider.GetServices<NodeType>().ToList();
    }

    public NodeType? Find(string name) => _types.GetValueOrDefault(name);

    public IEnumerable<NodeType> All => _types.Values;

    public IEnumerable<string> Names => _types.Keys;
}

/// <summary>
/// How node types are registered: one line each, built-in and connector alike. A node type's
/// constructor may take the services it needs (connectors take their credential store).
/// </summary>
public static class NodeRegistration
{
    public static IServiceCollection AddNodeType<T>(this IServiceCollection services) where T : NodeType =>
        services.AddSingleton<NodeType, T>();

    public static IServiceCollection AddNodeType(this IServiceCollection services, Type type) =>
        services.AddSingleton(typeof(NodeType), type);

    /// <summary>The engine's own node types. A new one: its file in Nodes/ plus a line here.</summary>
    public static IServiceCollection AddBuiltInNodes(this IServiceCollection services) => services
        .AddNodeType<StartNode>()
        .AddNodeType<FinalNode>()
        .AddNodeType<CodeNode>()
        .AddNodeType<ConditionNode>()
        .AddNodeType<SetParamNode>()
        .AddNodeType<ApiCallNode>()
        .AddNodeType<DelayNode>()
        .AddNodeType<WaitCallbackNode>()
        .AddNodeType<CopyTaskNode>()
        .AddNodeType<CallProcessNode>()
        .AddNodeType<ReplyNode>()
        .AddNodeType<SumNode>()
        .AddNodeType<QueueNode>()
        .AddNodeType<GetFromQueueNode>()
        .AddNodeType<SetStateNode>();
}
