using System.Text.Json.Nodes;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Tests.Engine.Nodes;

public sealed class ConditionTests
{
    static bool Holds(string dataJson, string param, string fun, string constant, string cast)
    {
        var condition = new ConditionNode.Condition(DataPath.Parse(param), fun, Template.Parse(constant), cast,
            fun == "regexp" ? new System.Text.RegularExpressions.Regex(constant) : null);
        return ConditionNode.Holds(condition, new TemplateScope(JsonNode.Parse(dataJson)!.AsObject(), [], DateTimeOffset.UnixEpoch));
    }

    [TestCase("""{"a":"x"}""", "a", "eq", "x", "string", true)]
    [TestCase("""{"a":"x"}""", "a", "not_eq", "x", "string", false)]
    [TestCase("""{"a":"b"}""", "a", "less", "c", "string", true)]
    [TestCase("""{"a":10}""", "a", "more", "9", "number", true)]
    [TestCase("""{"a":"10"}""", "a", "more", "9", "number", true)]
    [TestCase("""{"a":"10"}""", "a", "more", "9", "string", false)]
    [TestCase("""{"a":9}""", "a", "less_or_eq", "9", "number", true)]
    [TestCase("""{"a":9}""", "a", "more_or_eq", "9.5", "number", false)]
    [TestCase("""{"a":9}""", "a", "less", "9.5", "number", true)]
    [TestCase("""{"a":"abc"}""", "a", "eq", "1", "number", false)]
    [TestCase("""{"a":"abc"}""", "a", "not_eq", "1", "number", true)]
    [TestCase("""{"a":true}""", "a", "eq", "true", "boolean", true)]
    [TestCase("""{"a":"false"}""", "a", "eq", "false", "boolean", true)]
    [TestCase("""{"a":"yes"}""", "a", "eq", "true", "boolean", false)]
    [TestCase("""{"phone":"79161234567"}""", "phone", "regexp", "^7\\d{10}$", "string", true)]
    [TestCase("""{"phone":"7916"}""", "phone", "regexp", "^7\\d{10}$", "string", false)]
    [TestCase("""{}""", "missing", "eq", "", "string", false)]
    [TestCase("""{}""", "missing", "not_eq", "x", "string", true)]
    [TestCase("""{}""", "missing", "regexp", ".*", "string", false)]
    [TestCase("""{"o":{"n":[1,{"k":"v"}]}}""", "o.n[1].k", "eq", "v", "string", true)]
    public void Operators_and_casts(string data, string param, string fun, string constant, string cast, bool expected) =>
        Assert.That(Holds(data, param, fun, constant, cast), Is.EqualTo(expected));

    [Test]
    public void The_constant_may_be_a_template_over_the_task_data() =>
        Assert.That(Holds("""{"a":5,"limit":4}""", "a", "more", "{{limit}}", "number"), Is.True);
}
