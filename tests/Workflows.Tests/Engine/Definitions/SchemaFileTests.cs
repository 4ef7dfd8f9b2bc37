using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Tests.Support;

namespace Workflows.Tests.Engine.Definitions;

/// <summary>
/// docs/process.schema.json is generated from the node catalog (ProcessSchema): the committed file is
/// the one the running engine's catalog gives, and it carries every type, parameter, option and range.
/// WORKFLOWS_WRITE_SCHEMA=1 rewrites the file instead of failing.
/// </summary>
public sealed class SchemaFileTests
{
    static JsonObject _schema = null!;
    static string _generated = null!;
    static string _path = null!;

    [OneTimeSetUp]
    public static async Task Load()
    {
        _path = Path.Combine(RepoRoot(), "docs", "process.schema.json");
        // The server's own catalog: built-in nodes and connectors, as GET /api/process.schema.json serves it.
        await using (var server = await TestServer.StartAsync())
        {
            _generated = ProcessSchema.Text(server.Services.GetRequiredService<NodeCatalog>());
            using var served = await server.Http.GetAsync("/api/process.schema.json");
            Assert.That(await served.Content.ReadAsStringAsync(), Is.EqualTo(_generated), "the served schema");
        }
        if (Environment.GetEnvironmentVariable("WORKFLOWS_WRITE_SCHEMA") == "1") await File.WriteAllTextAsync(_path, _generated);
        _schema = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(_path))!;
    }

    [Test]
    public void The_committed_schema_is_the_generated_one()
    {
        Assert.That(File.ReadAllText(_path).ReplaceLineEndings("\n"), Is.EqualTo(_generated.ReplaceLineEndings("\n")),
            "docs/process.schema.json is out of date: regenerate it with WORKFLOWS_WRITE_SCHEMA=1 dotnet test tests/Workflows.Tests --filter SchemaFileTests");
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
                foreach (var parameter in type.Description.Parameters.Where(p => p.Required && p.Default is null))
                {
                    var required = BranchFor(type.Name)?["properties"]?["params"]?["required"] as JsonArray;
                    Assert.That(required?.Select(n => (string?)n), Does.Contain(parameter.Name), $"{type.Name}.{parameter.Name} is required");
                }
        });
    }

    [Test]
    public void Ranges_of_number_parameters_are_the_schema_bounds()
    {
        var bounded = NodeCatalog.BuiltIn().SelectMany(t => t.Description.Parameters.Where(p => p.Max is not null).Select(p => (t.Name, p))).ToList();
        Assert.That(bounded.Select(b => $"{b.Name}.{b.p.Name}"), Does.Contain("delay.seconds").And.Contain("wait_callback.timeout_seconds").And.Contain("call_process.timeout_seconds"));
        Assert.Multiple(() =>
        {
            foreach (var (type, parameter) in bounded)
            {
                var number = BranchFor(type)!["properties"]!["params"]!["properties"]![parameter.Name]!["anyOf"]![0]!;
                Assert.That((double?)number["maximum"], Is.EqualTo(parameter.Max), $"{type}.{parameter.Name} maximum");
                Assert.That((double?)number["minimum"], Is.EqualTo(parameter.Min), $"{type}.{parameter.Name} minimum");
            }
        });
    }

    [Test]
    public void Condition_functions_are_the_engines()
    {
        var fun = _schema["$defs"]!["rules"]!["items"]!["properties"]!["conditions"]!["items"]!["properties"]!["fun"]!["enum"]!.AsArray();
        Assert.That(fun.Select(n => (string?)n), Is.EqualTo(ConditionFunctions.Names));
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
                    var values = (property["anyOf"]?[0]?["enum"] as JsonArray)?.Select(n => (string?)n).ToList();
                    Assert.That(values, Is.EquivalentTo(parameter.Options!), $"{type.Name}.{parameter.Name} options");
                }
        });
    }
}
