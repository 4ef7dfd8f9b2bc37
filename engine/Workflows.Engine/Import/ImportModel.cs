using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workflows.Engine.Definitions;

namespace Workflows.Engine.Import;

/// <summary>What an import of a Corezoid export produced: the processes found and problems not tied to one process.</summary>
public sealed partial class ImportResult
{
    /// <summary>The environment variables the processes read ({{env_var[@name]}}), each once, in name order.</summary>
    public IReadOnlyList<string> EnvVars =>
        [.. Processes.SelectMany(p => p.Definition.Nodes).SelectMany(n => Strings(n.Params).Append(n.TimeLimit?.Until ?? ""))
            .SelectMany(s => EnvVarReference().Matches(s).Select(m => m.Groups[1].Value)).Distinct().Order(StringComparer.Ordinal)];

    static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => Strings(kv.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    [GeneratedRegex(@"\{\{\s*env_var\s*\[\s*@([A-Za-z0-9_.-]+)\s*\]\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex EnvVarReference();

    public List<ImportedProcess> Processes { get; } = [];
    /// <summary>Problems outside any one process (skipped objects of other kinds, unreadable entries).</summary>
    public List<ImportIssue> Issues { get; } = [];

    /// <summary>Every issue: the top-level ones, then each process's.</summary>
    public IEnumerable<ImportIssue> AllIssues => Issues.Concat(Processes.SelectMany(p => p.Issues));
}

/// <summary>One Corezoid process converted to our definition format, with what could not be carried over.</summary>
public sealed class ImportedProcess
{
    /// <summary>The process's obj_id in Corezoid (absent in some hand-made exports).</summary>
    public long? CorezoidObjId { get; init; }
    public string Title { get; init; } = "";
    public required ProcessDefinition Definition { get; init; }
    public List<ImportIssue> Issues { get; } = [];

    /// <summary>The definition as it is stored: its issues kept with it as import notes, so the designer can mark the nodes later too.</summary>
    public ProcessDefinition WithNotes()
    {
        Definition.ImportNotes = Issues.Count == 0 ? null : [.. Issues];
        return Definition;
    }
}

/// <summary>
/// Something that did not convert exactly: <see cref="What"/> names the feature, <see cref="Why"/>
/// says why and what was done instead. Node id and title are the Corezoid node's (null for
/// process-level issues).
/// </summary>
public sealed record ImportIssue(string? NodeId, string? NodeTitle, string What, string Why)
{
    /// <summary>A Corezoid action with no counterpart here (db_call, git_call…): the node stands in as a no-op until rebuilt.</summary>
    public bool NotConvertible { get; init; }

    public override string ToString()
    {
        var where = NodeId is null ? "" : string.IsNullOrEmpty(NodeTitle) ? $"node {NodeId}: " : $"node {NodeId} ('{NodeTitle}'): ";
        return $"{where}{What}: {Why}";
    }
}

/// <summary>The input is not a Corezoid export at all (not JSON, or no process in it).</summary>
public sealed class CorezoidImportException : Exception
{
    public CorezoidImportException() { }
    public CorezoidImportException(string message) : base(message) { }
    public CorezoidImportException(string message, Exception inner) : base(message, inner) { }
}
