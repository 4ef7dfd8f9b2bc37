using System.Text.Json.Nodes;
using Workflows.Engine;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Scripting;

namespace Workflows.Tests.Definitions;

/// <summary>A parameter left out reads as the default its node type declares; one written wins.</summary>
public sealed class ParameterDefaultTests
{
    static readonly ParamSpec[] Specs =
    [
        new("to", "template", "Phone", Default: "{{phone}}"),
        new("retries", "integer", "Retries", Default: 3),
        new("silent", "boolean", "Silent", Default: true),
    ];

    static PrepareContext Context(JsonObject @params, List<DefinitionError> errors) =>
        new(new NodeDefinition { Id = "n", Type = "x", Params = @params }, errors, new ScriptHost(new EngineOptions()), Specs);

    [Test]
    public void Left_out_parameters_take_the_declared_defaults()
    {
        var errors = new List<DefinitionError>();
        var context = Context([], errors);
        Assert.That(context.Template("to", required: true)!.Text, Is.EqualTo("{{phone}}"));
        Assert.That(context.Number("retries"), Is.EqualTo(3));
        Assert.That(context.Bool("silent"), Is.True);
        Assert.That(errors, Is.Empty, "a required parameter with a default is not missing");
    }

    [Test]
    public void Written_parameters_win_over_defaults()
    {
        var errors = new List<DefinitionError>();
        var context = Context(new JsonObject { ["to"] = "{{mobile}}", ["retries"] = 5, ["silent"] = false }, errors);
        Assert.That(context.Template("to")!.Text, Is.EqualTo("{{mobile}}"));
        Assert.That(context.Number("retries"), Is.EqualTo(5));
        Assert.That(context.Bool("silent"), Is.False);
        Assert.That(errors, Is.Empty);
    }
}
