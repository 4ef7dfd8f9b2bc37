using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Scripting;

namespace Workflows.Engine.Import;

/// <summary>
/// Checks each imported node the way the engine will when the process is saved (the node type's
/// own preparation: templates, JavaScript syntax, regular expressions, required exits), so an
/// import tells about everything that still needs a hand, not only what the mapping left out.
/// </summary>
static class ImportValidation
{
    static readonly Lazy<ScriptHost> Scripts = new(() => new ScriptHost(new EngineOptions()));
    static readonly Dictionary<string, NodeType> Types = NodeCatalog.BuiltIn().ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static List<ImportIssue> Check(ProcessDefinition definition, IReadOnlyDictionary<string, string?> titles)
    {
        var issues = new List<ImportIssue>();
        var ids = definition.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var node in definition.Nodes)
        {
            var sourceId = titles.ContainsKey(node.Id) ? node.Id : titles.Keys.FirstOrDefault(k => node.Id.StartsWith(k + "_", StringComparison.Ordinal));
            var title = sourceId is null ? node.Title : titles[sourceId];
            if (!Types.TryGetValue(node.Type, out var type))
            {
                issues.Add(new ImportIssue(sourceId ?? node.Id, title, $"node type '{node.Type}'", "unknown to the engine"));
                continue;
            }
            var errors = new List<DefinitionError>();
            try
            {
                type.Prepare(node, new PrepareContext(node, errors, Scripts.Value, type.Description.Parameters));
            }
            catch (Exception e)
            {
                errors.Add(new DefinitionError(node.Id, "params", e.Message));
            }
            foreach (var exit in type.ExitsOf(node).Where(x => x.Required && !node.Exits.ContainsKey(x.Name)))
                errors.Add(new DefinitionError(node.Id, $"exits.{exit.Name}", "is required"));
            foreach (var (name, target) in node.Exits.Where(x => !ids.Contains(x.Value)))
                errors.Add(new DefinitionError(node.Id, $"exits.{name}", $"leads to unknown node '{target}'"));
            foreach (var error in errors)
                issues.Add(new ImportIssue(sourceId ?? node.Id, title, $"{node.Type} {error.Field}" + (node.Id != sourceId ? $" (of node {node.Id})" : ""),
                    $"{error.Message} — the engine will refuse this until it is fixed"));
        }
        return issues;
    }
}
