using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Results;
using Workflows.Engine.Nodes;
using Workflows.Engine.Scripting;

namespace Workflows.Engine.Definitions;

/// <summary>
/// Checks a whole definition and lists every mistake at once: the process fields, each node's
/// type and parameters (by preparing it), the exits and the graph (one start, no dangling exit,
/// no node left open). Each failure names the node id and the field. A node no path from the start
/// reaches is a warning, not an error: Corezoid keeps such drafts, and no task can ever enter one.
/// </summary>
public sealed partial class ProcessValidator : AbstractValidator<ProcessDefinition>
{
    internal const string PreparedKey = "prepared";
    public const string UnreachableMessage = "no path from the start node reaches this node; no task can enter it";

    public ProcessValidator(NodeCatalog catalog, ScriptHost scripts)
    {
        RuleFor(p => p.Title).NotEmpty().WithMessage("is required").MaximumLength(ProcessLimits.TitleMaxLength).WithMessage($"must be at most {ProcessLimits.TitleMaxLength} characters").OverridePropertyName("title");
        RuleFor(p => p.ConvId).InclusiveBetween(ConvIds.Min, ConvIds.Max).When(p => p.ConvId is not null)
            .WithMessage(ConvIds.RangeText).OverridePropertyName("conv_id");
        RuleFor(p => p.Alias).Matches(AliasPattern()).When(p => p.Alias is not null)
            .WithMessage("may hold letters, digits, '-' and '_' only (1-64 characters)").OverridePropertyName("alias");
        RuleFor(p => p.Status).Must(s => s is null || Runtime.ProcessStatuses.TryParse(s, out _)).WithMessage($"must be {Runtime.ProcessStatuses.Active} or {Runtime.ProcessStatuses.Paused}").OverridePropertyName("status");
        RuleFor(p => p.Kind).Must(k => k is null || ProcessKinds.All.Contains(k)).WithMessage($"must be {string.Join(" or ", ProcessKinds.All)}").OverridePropertyName("kind");
        RuleFor(p => p.Settings!.LoopLimit).InclusiveBetween(ProcessLimits.LoopLimitMin, ProcessLimits.LoopLimitMax).When(p => p.Settings?.LoopLimit is not null)
            .WithMessage($"must be between {ProcessLimits.LoopLimitMin} and {ProcessLimits.LoopLimitMax}").OverridePropertyName("settings.loop_limit");
        RuleFor(p => p.Settings!.TaskSizeLimit).InclusiveBetween(ProcessLimits.TaskSizeLimitMin, ProcessLimits.TaskSizeLimitMax).When(p => p.Settings?.TaskSizeLimit is not null)
            .WithMessage($"must be between {ProcessLimits.TaskSizeLimitMin} and {ProcessLimits.TaskSizeLimitMax}").OverridePropertyName("settings.task_size_limit");
        RuleFor(p => p.Settings!.RetentionHours).InclusiveBetween(ProcessLimits.RetentionHoursMin, ProcessLimits.RetentionHoursMax).When(p => p.Settings?.RetentionHours is not null)
            .WithMessage($"must be between {ProcessLimits.RetentionHoursMin} and {ProcessLimits.RetentionHoursMax} hours").OverridePropertyName("settings.retention_hours");
        RuleFor(p => p.Nodes).NotEmpty().WithMessage("a process needs nodes: at least a start and a final").OverridePropertyName("nodes");
        RuleFor(p => p.Schedules).Custom((list, context) =>
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
                if (list![i] is null) context.AddFailure(new ValidationFailure($"schedules[{i}]", "must be a schedule object with a cron"));
        });
        RuleForEach(p => p.Schedules).Where(s => s is not null).ChildRules(s =>
        {
            s.RuleFor(x => x.Cron).Must(c => Quartz.CronExpression.TryParse(c ?? "", out _))
                .WithMessage(x => $"'{x.Cron}' is not a cron expression (seconds minutes hours day-of-month month day-of-week, e.g. \"0 0 9 ? * MON\")");
            s.RuleFor(x => x.TimeZone).Must(BeATimeZone).When(x => x.TimeZone is not null).WithMessage(x => $"unknown time zone '{x.TimeZone}'");
        }).OverridePropertyName("schedules");
        RuleFor(p => p.ImportNotes).Custom((list, context) =>
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
                if (string.IsNullOrWhiteSpace(list![i]?.What)) context.AddFailure(new ValidationFailure($"import_notes[{i}]", "must be a note object with what (and why)"));
        });
        RuleForEach(p => p.Params).ChildRules(x =>
        {
            x.RuleFor(p => p.Name).Matches(ParamNamePattern()).WithMessage("is required: letters, digits, '_', '-' and '.', 1-128 characters");
            x.RuleFor(p => p.Type).Must(t => ProcessParameter.Types.Contains(t)).WithMessage($"must be one of {string.Join(", ", ProcessParameter.Types)}");
        }).OverridePropertyName("params");
        RuleFor(p => p.Params).Must(ps => ps!.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() == ps!.Count)
            .When(p => p.Params is not null).WithMessage("two parameters have the same name").OverridePropertyName("params");
        RuleFor(p => p).Custom((process, context) => CheckGraph(process, context, catalog, scripts));
    }

    static void CheckGraph(ProcessDefinition process, ValidationContext<ProcessDefinition> context, NodeCatalog catalog, ScriptHost scripts)
    {
        var errors = new List<DefinitionError>();
        var warnings = new List<DefinitionError>();
        process.Nodes ??= [];
        var byId = new Dictionary<string, NodeDefinition>();
        var prepared = new Dictionary<string, object?>();
        for (var i = 0; i < process.Nodes.Count; i++)
        {
            var node = process.Nodes[i];
            if (node is null) { errors.Add(new(null, $"nodes[{i}]", "must be a node object")); continue; }
            node.Params ??= [];
            node.Exits ??= [];
            if (string.IsNullOrWhiteSpace(node.Id)) { errors.Add(new(null, $"nodes[{i}].id", "is required")); continue; }
            if (!NodeIdPattern().IsMatch(node.Id)) errors.Add(new(node.Id, "id", "may hold letters, digits, '-' and '_' only (1-64 characters)"));
            if (!byId.TryAdd(node.Id, node)) { errors.Add(new(node.Id, "id", $"duplicate node id '{node.Id}'")); continue; }
            var type = catalog.Find(node.Type ?? "");
            if (type is null)
            {
                errors.Add(new(node.Id, "type", string.IsNullOrWhiteSpace(node.Type) ? "is required" : $"unknown node type '{node.Type}'; known: {string.Join(", ", catalog.Names)}"));
                continue;
            }
            if (node.CountLimit is { } limit)
            {
                if (limit.Max < 1) errors.Add(new(node.Id, "count_limit.max", "must be at least 1"));
                if (string.IsNullOrWhiteSpace(limit.ConvId)) errors.Add(new(node.Id, "count_limit.conv_id", "is required: the process that receives the escalation"));
            }
            if (node.TimeLimit is { } time) CheckTimeLimit(node, time, errors);
            var prepareContext = new PrepareContext(node, errors, scripts, type.Description.Parameters);
            object? result = null;
            // A node type that throws on odd parameters is a mistake in the definition, not a server failure.
            try { result = type.Prepare(node, prepareContext); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException or NullReferenceException or System.Text.Json.JsonException)
            {
                prepareContext.Error("params", $"cannot be read: {e.Message}");
            }
            if (!prepareContext.HasErrors) prepared[node.Id] = result;
        }

        var starts = byId.Values.Where(n => n.Type == "start").ToList();
        if (starts.Count == 0) errors.Add(new(null, "nodes", "a process needs a start node"));
        if (starts.Count > 1) errors.AddRange(starts.Skip(1).Select(s => new DefinitionError(s.Id, "type", "a process has only one start node")));

        foreach (var node in byId.Values)
        {
            var type = catalog.Find(node.Type ?? "");
            if (type is null) continue;
            var exits = type.ExitsOf(node).ToList();
            if (node.TimeLimit is not null && exits.All(e => e.Name != Exits.Timeout)) exits.Add(TimeLimitExit);
            foreach (var exit in exits.Where(e => e.Required && !node.Exits.ContainsKey(e.Name)))
                errors.Add(new(node.Id, $"exits.{exit.Name}", $"the '{exit.Name}' exit must lead to a node"));
            foreach (var (name, target) in node.Exits)
            {
                if (exits.All(e => e.Name != name))
                    errors.Add(new(node.Id, $"exits.{name}", exits.Count == 0 ? $"a {node.Type} node has no exits" : $"unknown exit '{name}'; this node has: {string.Join(", ", exits.Select(e => e.Name))}"));
                else if (string.IsNullOrWhiteSpace(target) || !byId.ContainsKey(target))
                    errors.Add(new(node.Id, $"exits.{name}", $"leads to '{target}', which is not a node of this process"));
                else if (target == starts.FirstOrDefault()?.Id)
                    errors.Add(new(node.Id, $"exits.{name}", "must not lead back to the start node"));
            }
        }

        if (starts.Count == 1)
        {
            var reached = new HashSet<string> { starts[0].Id };
            var queue = new Queue<string>(reached);
            while (queue.TryDequeue(out var id))
                foreach (var target in byId[id].Exits.Values)
                    if (target is not null && byId.ContainsKey(target) && reached.Add(target)) queue.Enqueue(target);
            foreach (var node in byId.Values.Where(n => !reached.Contains(n.Id)))
                warnings.Add(new(node.Id, "id", UnreachableMessage));
        }

        foreach (var e in errors)
            context.AddFailure(new ValidationFailure(e.Field, e.Message) { CustomState = e.NodeId });
        foreach (var w in warnings)
            context.AddFailure(new ValidationFailure(w.Field, w.Message) { CustomState = w.NodeId, Severity = Severity.Warning });
        context.RootContextData[PreparedKey] = prepared;
    }

    static readonly ExitSpec TimeLimitExit = new(Exits.Timeout, "Time limit");

    static void CheckTimeLimit(NodeDefinition node, TimeLimitDefinition time, List<DefinitionError> errors)
    {
        if ((time.Seconds is null) == string.IsNullOrWhiteSpace(time.Until))
            errors.Add(new(node.Id, "time_limit", "takes seconds or until (a unix time template), one of them"));
        if (time.Seconds is < 1 or > TimeLimitDefinition.MaxSeconds)
            errors.Add(new(node.Id, "time_limit.seconds", $"must be between 1 and {TimeLimitDefinition.MaxSeconds}"));
        if (!string.IsNullOrWhiteSpace(time.Until))
        {
            try { Templates.Template.Parse(time.Until); }
            catch (Templates.TemplateException e) { errors.Add(new(node.Id, "time_limit.until", e.Message)); }
        }
    }

    static bool BeATimeZone(string? zone)
    {
        try { TimeZoneInfo.FindSystemTimeZoneById(zone!); return true; }
        catch (TimeZoneNotFoundException) { return false; }
        catch (InvalidTimeZoneException) { return false; }
    }

    [GeneratedRegex(ProcessLimits.NamePattern)]
    private static partial Regex NodeIdPattern();

    [GeneratedRegex(ProcessLimits.NamePattern)]
    private static partial Regex AliasPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex ParamNamePattern();
}
