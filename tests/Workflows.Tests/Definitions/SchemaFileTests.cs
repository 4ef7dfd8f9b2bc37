using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Nodes;

namespace Workflows.Tests.Definitions;

/// <summary>docs/process.schema.json stays in step with the node catalog: every type and every parameter is in it.</summary>
public sealed class SchemaFileTests
{
    static JsonObject _schema = null!;

    [OneTimeSetUp]
    public static void Load()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "process.schema.json"));
        _schema = (JsonObject)JsonNode.Parse(text)!;
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln"))) return dir.FullName;
        throw new InvalidOperationException("Workflows.sln was not found above " + TestContext.CurrentContext.TestDirectory);
    }

    public static IEnumerable<string> TypeNames() => NodeCatalog.BuiltIn().Select(t => t.Name);

    public static IEnumerable<TestCaseData> Parameters() =>
        NodeCatalog.BuiltIn().SelectMany(t => t.Description.Parameters.Select(p => new TestCaseData(t.Name, p.Name).SetName($"{t.Name}.{p.Name}")));

    static JsonObject NodeSchema => _schema["$defs"]!["node"]!.AsObject();

    /// <summary>The then-branch of the node schema's if/then for one type, or null.</summary>
    static JsonObject? BranchFor(string type) =>
        NodeSchema["allOf"]!.AsArray().OfType<JsonObject>()
            .FirstOrDefault(b => (string?)b["if"]?["properties"]?["type"]?["const"] == type)?["then"]?.AsObject();

    [Test]
    public void The_schema_file_is_json_of_draft_2020_12()
    {
        Assert.That(_schema, Is.Not.Null);
        Assert.That((string?)_schema["$schema"], Is.EqualTo("https://json-schema.org/draft/2020-12/schema"));
        Assert.That(() => JsonDocument.Parse(_schema.ToJsonString()), Throws.Nothing);
    }

    [TestCaseSource(nameof(TypeNames))]
    public void Every_built_in_node_type_is_in_the_schema(string type)
    {
        // The type itself is open (connector types join it); every built-in one has its own branch and is named in the description.
        Assert.That((string?)NodeSchema["properties"]!["type"]!["description"], Does.Contain(type), "the node type's description");
        Assert.That(BranchFor(type), Is.Not.Null, $"an if/then branch for type '{type}'");
    }

    [TestCaseSource(nameof(Parameters))]
    public void Every_parameter_of_a_built_in_node_type_is_in_its_branch(string type, string parameter)
    {
        var branch = BranchFor(type);
        Assert.That(branch, Is.Not.Null, $"an if/then branch for type '{type}'");
        var properties = branch!["properties"]?["params"]?["properties"] as JsonObject;
        Assert.That(properties, Is.Not.Null, $"params.properties for type '{type}'");
        Assert.That(properties!.ContainsKey(parameter), Is.True, $"params.{parameter} of type '{type}'");
    }

    [Test]
    public void Required_parameters_are_required_in_the_schema()
    {
        Assert.Multiple(() =>
        {
            foreach (var type in NodeCatalog.BuiltIn())
                foreach (var parameter in type.Description.Parameters.Where(p => p.Required))
                {
                    var required = BranchFor(type.Name)?["properties"]?["params"]?["required"] as JsonArray;
                    Assert.That(required?.Select(n => (string?)n), Does.Contain(parameter.Name), $"{type.Name}.{parameter.Name} is required");
                }
        });
    }

    [Test]
    public void Select_options_are_the_schema_enums()
    {
        Assert.Multiple(() =>
        {
            foreach (var type in NodeCatalog.BuiltIn())
                foreach (var parameter in type.Description.Parameters.Where(p => p.Options is not null))
                {
                    var property = BranchFor(type.Name)!["properties"]!["params"]!["properties"]![parameter.Name]!;
                    var values = (property["enum"] as JsonArray ?? property["anyOf"]?[0]?["enum"] as JsonArray)?.Select(n => (string?)n).ToList();
                    Assert.That(values, Is.EquivalentTo(parameter.Options!), $"{type.Name}.{parameter.Name} options");
                }
        });
    }
}
