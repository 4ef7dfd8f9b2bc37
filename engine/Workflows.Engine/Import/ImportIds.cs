using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workflows.Engine.Definitions;

namespace Workflows.Engine.Import;

/// <summary>A process whose Corezoid id (or alias) could not be kept: what it was and what it is now.</summary>
public sealed record IdChange(string Title, long? OldConvId, long NewConvId, string? OldAlias, string? NewAlias);

/// <summary>
/// Gives every process of one import a conv_id (and alias) that is free here: a process without an
/// id, with id 0, or with an id (alias) already used gets a new one, and every reference to it inside
/// the same import follows — copy/call targets, count-limit targets and <c>{{conv[ID]…}}</c> templates.
/// Processes of the import may call each other in any order: targets are only looked up when a task runs.
/// </summary>
public static partial class ImportIds
{
    /// <param name="existing">The conv_ids in use here.</param>
    /// <param name="aliasTaken">Whether an alias is used by a process here.</param>
    public static List<IdChange> Assign(ImportResult result, IReadOnlyCollection<long> existing, Func<string, bool> aliasTaken)
    {
        var taken = existing.ToHashSet();
        var processes = result.Processes;
        // First the ids that stay: a process keeps its Corezoid id when it is free and the first with it.
        var keeps = new bool[processes.Count];
        for (var i = 0; i < processes.Count; i++)
            keeps[i] = processes[i].CorezoidObjId is > 0 and var id && taken.Add(id);
        var next = Math.Max(1000, taken.DefaultIfEmpty(1000).Max()) + 1;

        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var usedAliases = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var changes = new List<IdChange>();
        for (var i = 0; i < processes.Count; i++)
        {
            var p = processes[i];
            var definition = p.Definition;
            var old = p.CorezoidObjId;
            if (!keeps[i])
            {
                while (!taken.Add(next)) next++;
                definition.ConvId = next;
                // The first process with an id is the one references point to.
                if (old is > 0 && !ids.ContainsKey(Text(old.Value))) ids[Text(old.Value)] = Text(next);
            }
            else definition.ConvId = old;

            var oldAlias = definition.Alias;
            if (oldAlias is not null && (aliasTaken(oldAlias) || !usedAliases.Add(oldAlias)))
            {
                var n = 2;
                while (aliasTaken($"{oldAlias}-{n}") || usedAliases.Contains($"{oldAlias}-{n}")) n++;
                definition.Alias = $"{oldAlias}-{n}";
                usedAliases.Add(definition.Alias);
                aliases.TryAdd(oldAlias, definition.Alias);
            }
            if (definition.ConvId != old || definition.Alias != oldAlias)
            {
                changes.Add(new IdChange(p.Title, old, definition.ConvId!.Value, oldAlias, definition.Alias));
                if (definition.ConvId != old)
                    p.Issues.Add(new ImportIssue(null, null, "conv_id", old is > 0
                        ? $"process {old} is already here (or twice in the export); imported as {definition.ConvId}, and references to it in this import follow"
                        : $"the export gives no id (obj_id {(old is null ? "absent" : "0")}); imported as {definition.ConvId}"));
                if (definition.Alias != oldAlias)
                    p.Issues.Add(new ImportIssue(null, null, "alias", $"'{oldAlias}' is already used here; imported as '{definition.Alias}', and @{oldAlias} in this import follows"));
            }
        }
        if (ids.Count > 0 || aliases.Count > 0)
            foreach (var p in processes) Rewrite(p.Definition, ids, aliases);
        return changes;
    }

    static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);

    static void Rewrite(ProcessDefinition definition, Dictionary<string, string> ids, Dictionary<string, string> aliases)
    {
        foreach (var node in definition.Nodes)
        {
            if (node.Params["conv_id"] is JsonValue target && Cz.Text(target) is { } text && Target(text, ids, aliases) is { } moved)
                node.Params["conv_id"] = moved;
            if (node.CountLimit is { } limit && Target(limit.ConvId, ids, aliases) is { } escalation) limit.ConvId = escalation;
            RewriteTemplates(node.Params, ids, aliases);
        }
    }

    /// <summary>A process named by digits, @alias or a bare alias, as copy and call nodes read it; null when it does not move.</summary>
    static string? Target(string text, Dictionary<string, string> ids, Dictionary<string, string> aliases)
    {
        var t = text.Trim();
        if (ids.TryGetValue(t, out var id)) return id;
        if (t.StartsWith('@') && aliases.TryGetValue(t[1..], out var alias)) return "@" + alias;
        return null;
    }

    /// <summary>Rewrites conv[ID] / conv[@alias] in every string of the parameters, in place.</summary>
    static void RewriteTemplates(JsonNode? node, Dictionary<string, string> ids, Dictionary<string, string> aliases)
    {
        var children = node switch
        {
            JsonObject o => o.Select(kv => (Set: (Action<JsonNode?>)(v => o[kv.Key] = v), Value: kv.Value)).ToList(),
            JsonArray a => a.Select((v, i) => (Set: (Action<JsonNode?>)(x => a[i] = x), Value: v)).ToList(),
            _ => [],
        };
        foreach (var (set, value) in children)
        {
            if (value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
            {
                var text = v.GetValue<string>();
                var changed = ConvReference().Replace(text, m => Moved(m, ids, aliases));
                if (changed != text) set(changed);
            }
            else RewriteTemplates(value, ids, aliases);
        }
    }

    static string Moved(Match m, Dictionary<string, string> ids, Dictionary<string, string> aliases)
    {
        var inner = m.Groups["id"].Value;
        var moved = inner.StartsWith('@')
            ? aliases.TryGetValue(inner[1..], out var a) ? "@" + a : null
            : ids.GetValueOrDefault(inner);
        return moved is null ? m.Value : $"{m.Groups["head"].Value}{moved}]";
    }

    [GeneratedRegex(@"(?<head>\bconv\s*\[\s*)(?<id>\d+|@[A-Za-z0-9_-]+)\s*\]", RegexOptions.CultureInvariant)]
    private static partial Regex ConvReference();
}
