using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Definitions;

/// <summary>Every mistake in a definition is listed at once, with its node and field, and nothing is saved.</summary>
public sealed class ValidationTests
{
    TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await TestServer.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    async Task<(HttpStatusCode Status, JsonNode Body)> Upload(string json)
    {
        using var response = await _server.Http.PostJsonAsync("/api/processes", json);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    static IEnumerable<(string? Node, string Field, string Message)> Errors(JsonNode problem) =>
        problem["errors"]!.AsArray().Select(e => ((string?)e!["node_id"], (string)e["field"]!, (string)e["message"]!));

    [Test]
    public async Task A_definition_with_many_mistakes_gets_all_of_them_in_one_problem_and_is_not_saved()
    {
        var before = (await _server.GetJson("/api/processes")).AsArray().Count;
        var definition = Definition("broken",
            Node("start", "start", exits: P("""{"next":"code"}""")),
            Node("code", "code", P("""{"src":"var x = ;"}"""), P("""{"next":"cond","error":"nowhere"}""")),
            Node("cond", "condition", P("""{"rules":[{"exit":"bad","conditions":[{"param":"p","fun":"regexp","const":"([a-z","cast":"string"}]},{"exit":"odd","conditions":[{"param":"p","fun":"like","const":"x","cast":"text"}]}]}"""), P("""{"bad":"set","odd":"done"}""")),
            Node("set", "set_param", P("""{"values":{"a":"{{unclosed","b":"$.nosuch(1)"}}"""), P("""{"next":"done"}""")),
            Node("api", "api", P("""{"url":"ftp://example.org","method":"FETCH"}"""), P("""{"next":"done","error":"done"}""")),
            Node("mystery", "teleport", exits: P("""{"next":"done"}""")),
            Node("code", "code", P("""{"src":"1"}"""), P("""{"next":"done","error":"done"}""")),
            Final("done"),
            Node("done2", "final", P("""{"result":"maybe"}"""), P("""{"next":"done"}""")));

        var (status, problem) = await Upload(definition);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)problem["title"], Is.EqualTo("The process definition is invalid"));
        Assert.That((int?)problem["status"], Is.EqualTo(400));
        var errors = Errors(problem).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "code" && e.Field == "params.src" && e.Message.Contains("line 1")), "code that does not parse");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "code" && e.Field == "exits.error" && e.Message.Contains("nowhere")), "dangling exit");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "cond" && e.Field.EndsWith(".const", StringComparison.Ordinal) && e.Message.Contains("regular expression")), "bad regexp");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "cond" && e.Field.EndsWith(".fun", StringComparison.Ordinal)), "unknown operator");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "cond" && e.Field.EndsWith(".cast", StringComparison.Ordinal)), "unknown cast");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "cond" && e.Field == "exits.default"), "missing exit");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "set" && e.Field == "params.values.a" && e.Message.Contains("not closed")), "bad template");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "set" && e.Field == "params.values.b" && e.Message.Contains("unknown function")), "unknown function");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "api" && e.Field == "params.url"), "bad url");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "api" && e.Field == "params.method"), "bad method");
            Assert.That(errors, Has.None.Matches<(string? Node, string Field, string Message)>(e => e.Message.Contains("no path from the start")), "an unreachable node is a warning, not an error");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "mystery" && e.Field == "type" && e.Message.Contains("unknown node type 'teleport'")), "unknown node type");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "code" && e.Field == "id" && e.Message.Contains("duplicate")), "duplicate id");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "done2" && e.Field == "params.result"), "bad final result");
            Assert.That(errors, Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == "done2" && e.Field == "exits.next" && e.Message.Contains("has no exits")), "exit on a final");
        });
        Assert.That((await _server.GetJson("/api/processes")).AsArray(), Has.Count.EqualTo(before));
    }

    [Test]
    public async Task A_node_no_path_reaches_is_a_warning_and_the_draft_is_saved()
    {
        var definition = Definition("draft",
            Node("start", "start", exits: P("""{"next":"done"}""")),
            Node("later", "set_param", P("""{"values":{"x":"1"}}"""), P("""{"next":"done"}""")),
            Final("done"));
        var validated = await _server.PostJson("/api/validate", definition);
        Assert.That((bool?)validated["valid"], Is.True, validated.ToJsonString());
        Assert.That(validated["warnings"]!.AsArray().Select(w => ((string?)w!["node_id"], (string?)w["field"])), Is.EqualTo(new[] { ((string?)"later", (string?)"id") }));
        var (status, saved) = await Upload(definition);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), saved.ToJsonString());
        Assert.That((string?)saved["warnings"]![0]!["message"], Does.Contain("no task can enter it"));
    }

    [Test]
    public async Task A_missing_start_is_a_process_level_error()
    {
        var (status, problem) = await Upload(Definition("no start", Final("done")));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Errors(problem), Has.Some.Matches<(string? Node, string Field, string Message)>(e => e.Node == null && e.Message.Contains("start node")));
    }

    [TestCase("""{"title":"x","nodes":null}""", "nodes")]
    [TestCase("""{"title":"x","nodes":[{"id":"s","type":null}]}""", "type")]
    [TestCase("""{"title":"","nodes":[]}""", "title")]
    [TestCase("""{"title":"x","conv_id":-5,"nodes":[]}""", "conv_id")]
    [TestCase("""{"title":"x","alias":"has spaces","nodes":[]}""", "alias")]
    [TestCase("""{"title":"x","settings":{"loop_limit":0},"nodes":[]}""", "settings.loop_limit")]
    public async Task Odd_shapes_are_400s_naming_the_field(string json, string field)
    {
        var (status, problem) = await Upload(json);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(Errors(problem).Select(e => e.Field), Has.Some.EqualTo(field));
    }

    [TestCase("{\"title\": ")]
    [TestCase("[]")]
    [TestCase("{\"title\":\"x\",\"nodes\":[{\"id\":\"s\",\"params\":[1,2]}]}")]
    [TestCase("{\"title\":\"x\",\"nodes\":\"many\"}")]
    public async Task Unreadable_definitions_are_400s_with_a_reason(string json)
    {
        var (status, problem) = await Upload(json);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)problem["detail"] ?? (string?)problem["title"], Is.Not.Empty);
    }

    [Test]
    public async Task The_validate_endpoint_answers_without_saving()
    {
        var bad = await _server.PostJson("/api/validate", Single("code", P("""{"src":"function ("}""")));
        Assert.That((bool?)bad["valid"], Is.False);
        Assert.That((string?)bad["errors"]![0]!["node_id"], Is.EqualTo("n"));
        var good = await _server.PostJson("/api/validate", Single("code", P("""{"src":"data.a = 1;"}""")));
        Assert.That((bool?)good["valid"], Is.True);
    }

    [Test]
    public async Task The_bundled_phone_process_is_valid()
    {
        var root = TestContext.CurrentContext.TestDirectory;
        while (!File.Exists(Path.Combine(root, "Workflows.sln"))) root = Path.GetDirectoryName(root)!;
        foreach (var file in Directory.GetFiles(Path.Combine(root, "processes"), "*.json", SearchOption.AllDirectories))
        {
            var result = await _server.PostJson("/api/validate", await File.ReadAllTextAsync(file));
            Assert.That((bool?)result["valid"], Is.True, $"{Path.GetFileName(file)}: {result.ToJsonString()}");
        }
    }
}
