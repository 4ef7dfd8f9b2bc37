using System.Text.Json.Nodes;
using Workflows.Engine;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Scripting;

namespace Workflows.Tests.Engine.Definitions;

/// <summary>A parameter left out reads as the default its node type declares; one written wins; ranges and options are checked from the spec.</summary>
public sealed class ParameterDefaultTests
{
    static readonly ParamSpec[] Specs =
    [
        new("to", ParamKind.Template, "Phone", Default: "{{phone}}"),
        new("retries", ParamKind.Integer, "Retries", Default: 3, Min: 0, Max: 10),
        new("silent", ParamKind.Boolean, "Silent", Default: true),
        new("mode", ParamKind.Select, "Mode", Default: "create", Options: ["create", "modify"]),
        ParamSpec.Seconds("wait", "Wait"),
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

    [Test]
    public void Ranges_whole_numbers_and_options_are_checked_from_the_spec()
    {
        var errors = new List<DefinitionError>();
        var context = Context(new JsonObject { ["retries"] = 11, ["wait"] = 31_536_001, ["mode"] = "MODIFY" }, errors);
        context.Number("retries");
        context.Number("wait");
        Assert.That(context.String("mode"), Is.EqualTo("modify"), "letter case is ignored, the option's own spelling is returned");
        Assert.That(errors.Select(e => $"{e.Field}: {e.Message}"), Is.EqualTo(new[]
        {
            "params.retries: must be between 0 and 10",
            "params.wait: must be between 1 and 31536000",
        }));

        errors.Clear();
        context = Context(new JsonObject { ["retries"] = 2.5, ["mode"] = "delete" }, errors);
        context.Number("retries");
        context.String("mode");
        Assert.That(errors.Select(e => $"{e.Field}: {e.Message}"), Is.EqualTo(new[]
        {
            "params.retries: must be a whole number",
            "params.mode: 'delete' is not one of create, modify",
        }));
    }
}
