using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workflows.Engine.Definitions;
using Workflows.Engine.Scripting;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Ordered rules on task data, Corezoid style: the first rule whose conditions all hold picks its
/// exit; none holds, the default exit. A rule is either a list of
/// <c>{param, fun, const, cast}</c> conditions or a JavaScript expression (<c>js</c>).
/// </summary>
public sealed class ConditionNode : NodeType<ConditionNode.Prepared>
{
    public sealed record Condition(DataPath Param, string Fun, Template Const, string Cast, Regex? Pattern);
    public sealed record Rule(string Exit, Condition[] Conditions, CompiledScript? Js);
    public sealed record Prepared(Rule[] Rules);

    public override NodeDescription Description { get; } = new(
        "condition", "Condition", "logic", "split", NodeKind.Instant,
        [new ParamSpec("rules", ParamKind.Rules, "Rules", Required: true,
            Help: "First match wins. Each rule: exit name and all-of conditions {param, fun, const, cast}, or a JavaScript expression in js.")],
        [new ExitSpec(Exits.Default, "Default"), new ExitSpec(Exits.Error, "Error", Required: false)],
        ErrorKind: "condition",
        ExitsFromParams: true);

    public override IEnumerable<ExitSpec> ExitsOf(NodeDefinition node) => RuleExits(node).Concat(Description.Exits);

    /// <summary>One exit per rule, named by the rule (condition and set_state nodes).</summary>
    public static IEnumerable<ExitSpec> RuleExits(NodeDefinition node)
    {
        if (node.Params["rules"] is JsonArray rules)
            foreach (var rule in rules.OfType<JsonObject>())
                if (rule["exit"] is JsonValue v && v.TryGetValue(out string? exit) && !string.IsNullOrWhiteSpace(exit))
                    yield return new ExitSpec(exit, exit);
    }

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        if (node.Params["rules"] is not JsonArray rules)
        {
            context.Error("params.rules", "is required: a list of rules");
            return null;
        }
        return new Prepared(PrepareRules(rules, context));
    }

    /// <summary>Checks and compiles a list of rules; problems go to the context.</summary>
    public static Rule[] PrepareRules(JsonArray rules, PrepareContext context)
    {
        var prepared = new List<Rule>();
        var seen = new HashSet<string>();
        for (var i = 0; i < rules.Count; i++)
        {
            var field = $"params.rules[{i}]";
            if (rules[i] is not JsonObject rule) { context.Error(field, "must be an object"); continue; }
            var exit = (rule["exit"] as JsonValue)?.TryGetValue(out string? e) == true ? e : null;
            if (string.IsNullOrWhiteSpace(exit)) { context.Error($"{field}.exit", "is required"); continue; }
            if (exit is Exits.Default or Exits.Error) context.Error($"{field}.exit", $"'{exit}' is reserved");
            if (!seen.Add(exit)) context.Error($"{field}.exit", $"'{exit}' is used by another rule");
            if (rule["js"] is JsonValue jsValue && jsValue.TryGetValue(out string? js))
            {
                try { prepared.Add(new Rule(exit, [], context.Scripts.CompileExpression(js))); }
                catch (ScriptSyntaxException ex) { context.Error($"{field}.js", ex.Message); }
                continue;
            }
            if (rule["conditions"] is not JsonArray conditions || conditions.Count == 0)
            {
                context.Error($"{field}.conditions", "is required: at least one condition, or a js expression");
                continue;
            }
            var list = new List<Condition>();
            for (var j = 0; j < conditions.Count; j++)
            {
                var c = PrepareCondition(conditions[j] as JsonObject, $"{field}.conditions[{j}]", context);
                if (c is not null) list.Add(c);
            }
            prepared.Add(new Rule(exit, [.. list], null));
        }
        return [.. prepared];
    }

    static Condition? PrepareCondition(JsonObject? c, string field, PrepareContext context)
    {
        if (c is null) { context.Error(field, "must be an object"); return null; }
        var param = Text(c["param"]);
        var fun = Text(c["fun"]) ?? "eq";
        var constText = c["const"] is null ? "" : Template.AsText(c["const"]);
        var cast = Text(c["cast"]) ?? "string";
        var ok = true;
        DataPath? path = null;
        if (string.IsNullOrWhiteSpace(param)) { context.Error($"{field}.param", "is required"); ok = false; }
        else
        {
            try { path = DataPath.Parse(param.Trim().TrimStart('{').TrimEnd('}')); }
            catch (TemplateException e) { context.Error($"{field}.param", e.Message); ok = false; }
        }
        if (!ConditionFunctions.IsKnown(fun)) { context.Error($"{field}.fun", $"'{fun}' is not one of {string.Join(", ", ConditionFunctions.Names)}"); ok = false; }
        if (!ConditionFunctions.Casts.Contains(cast)) { context.Error($"{field}.cast", $"'{cast}' is not one of {string.Join(", ", ConditionFunctions.Casts)}"); ok = false; }
        var constant = context.TemplateOf($"{field}.const", constText);
        Regex? pattern = null;
        if (fun == "regexp" && constant is { IsConstant: true })
        {
            try { pattern = new Regex(constText, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)); }
            catch (ArgumentException e) { context.Error($"{field}.const", $"bad regular expression: {e.Message}"); ok = false; }
        }
        return ok && constant is not null && path is not null ? new Condition(path, fun, constant, cast, pattern) : null;
    }

    static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        var (exit, failure) = await FirstMatch(step, node.Rules);
        return failure ?? NodeOutcome.Go(exit ?? Exits.Default);
    }

    /// <summary>The exit of the first rule that holds (null: none holds), or the failure of a rule that could not be evaluated.</summary>
    public static async ValueTask<(string? Exit, NodeOutcome? Failure)> FirstMatch(StepContext step, Rule[] rules)
    {
        foreach (var rule in rules)
        {
            bool match;
            if (rule.Js is not null)
            {
                try { match = await step.Scripts.TestAsync(rule.Js, step.Data, step.Task.ConvId, step.Cancellation); }
                catch (ScriptFailureException e) { return (null, NodeOutcome.Software(e.Tag, $"rule '{rule.Exit}': {e.Message}")); }
            }
            else
            {
                try { match = rule.Conditions.All(c => Holds(c, step.Scope)); }
                catch (Exception e) when (e is TemplateException or RegexMatchTimeoutException or ArgumentException)
                {
                    return (null, NodeOutcome.Software("condition_error", $"rule '{rule.Exit}': {e.Message}"));
                }
            }
            if (match) return (rule.Exit, null);
        }
        return (null, null);
    }

    /// <summary>Compares the param's value with the constant after casting both; missing values only satisfy not_eq.</summary>
    public static bool Holds(Condition c, TemplateScope scope)
    {
        var value = scope.Resolve(c.Param);
        var constant = c.Const.RenderString(scope);
        if (c.Fun == "regexp")
        {
            if (value is null) return false;
            var regex = c.Pattern ?? new Regex(constant, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            return regex.IsMatch(Template.AsText(value));
        }
        int? order = c.Cast switch
        {
            "number" => CompareNumbers(value, constant),
            "boolean" => CompareBooleans(value, constant),
            _ => value is null ? null : string.CompareOrdinal(Template.AsText(value), constant),
        };
        if (order is null) return c.Fun == "not_eq";
        return c.Fun switch
        {
            "eq" => order == 0,
            "not_eq" => order != 0,
            "less" => order < 0,
            "more" => order > 0,
            "less_or_eq" => order <= 0,
            "more_or_eq" => order >= 0,
            _ => false,
        };
    }

    static int? CompareNumbers(JsonNode? value, string constant)
    {
        double? left = value switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
            JsonValue v when v.GetValueKind() == JsonValueKind.String && double.TryParse(v.GetValue<string>().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
        if (left is null || !double.TryParse(constant.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var right)) return null;
        return left.Value.CompareTo(right);
    }

    static int? CompareBooleans(JsonNode? value, string constant)
    {
        bool? left = value switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
            JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
            JsonValue v when v.GetValueKind() == JsonValueKind.String && bool.TryParse(v.GetValue<string>().Trim(), out var b) => b,
            _ => null,
        };
        if (left is null || !bool.TryParse(constant.Trim(), out var right)) return null;
        return left.Value.CompareTo(right);
    }
}
