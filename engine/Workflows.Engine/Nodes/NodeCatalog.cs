namespace Workflows.Engine.Nodes;

/// <summary>Every node type the engine knows, built-in and connector; the designer's palette comes from here.</summary>
public sealed class NodeCatalog
{
    readonly Dictionary<string, NodeType> _types = new(StringComparer.Ordinal);

    public NodeCatalog(IEnumerable<NodeType> extra)
    {
        foreach (var type in BuiltIn()) Add(type);
        foreach (var type in extra) Add(type);
    }

    public static IEnumerable<NodeType> BuiltIn() =>
    [
        new StartNode(), new FinalNode(), new CodeNode(), new ConditionNode(), new SetParamNode(), new ApiCallNode(),
        new DelayNode(), new WaitCallbackNode(), new CopyTaskNode(), new CallProcessNode(), new ReplyNode(),
    ];

    void Add(NodeType type)
    {
        if (!_types.TryAdd(type.Name, type))
            throw new InvalidOperationException($"Two node types are named '{type.Name}'.");
    }

    public NodeType? Find(string name) => _types.GetValueOrDefault(name);

    public IEnumerable<NodeType> All => _types.Values;

    public IEnumerable<string> Names => _types.Keys;
}
