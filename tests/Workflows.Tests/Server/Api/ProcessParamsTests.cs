using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;

namespace Workflows.Tests.Server.Api;

/// <summary>Process parameters (Corezoid's params): imported, kept in the definition, checked when a task is created.</summary>
public sealed class ProcessParamsTests
{
    [Test]
    public async Task An_imported_process_keeps_its_params_and_a_missing_required_input_is_a_per_op_error()
    {
        await using var server = await TestServer.StartAsync();
        var process = CorezoidExport.Process(0, "calculator", CorezoidExport.Start("f"), CorezoidExport.Final("f"));
        process["params"] = JsonNode.Parse("""
            [{"name":"question","type":"string","descr":"user question","flags":["required","input"],"regex":"","regex_error_text":""},
             {"name":"lang","type":"string","descr":"","flags":["input"]},
             {"name":"answer","type":"string","descr":"answer","flags":["output"]}]
            """);
        var answer = await server.PostJson("/api/import/corezoid", CorezoidExport.Folder(process));
        var created = answer["processes"]![0]!;
        Assert.That((bool?)created["created"], Is.True, answer.ToJsonString());
        var convId = (long)created["process"]!["conv_id"]!;
        var hash = (string)created["process"]!["hash"]!;
        var stored = await server.GetJson($"/api/processes/{convId}");
        Assert.That(stored["definition"]!["params"]!.ToJsonString(), Is.EqualTo(
            """[{"name":"question","type":"string","description":"user question","required":true,"input":true,"output":false},{"name":"lang","type":"string","required":false,"input":true,"output":false},{"name":"answer","type":"string","description":"answer","required":false,"input":false,"output":true}]"""));

        var refused = await server.PostJson($"/api/1/json/public/{convId}/{hash}",
            """{"ops":[{"id":"1","type":"create","obj":"task","data":{"lang":"en"}},{"id":"2","type":"create","obj":"task","data":{"question":"2+2"}}]}""");
        Assert.That((string?)refused["ops"]![0]!["proc"], Is.EqualTo("error"));
        Assert.That((string?)refused["ops"]![0]!["description"], Does.Contain("'question'").And.Contain("user question"));
        Assert.That((string?)refused["ops"]![1]!["proc"], Is.EqualTo("ok"), "only the op without the parameter is refused");

        using var management = await server.Http.PostJsonAsync($"/api/processes/{convId}/tasks", """{"data":{"question":null}}""");
        Assert.That(management.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Bad_params_are_validation_errors()
    {
        await using var server = await TestServer.StartAsync();
        var definition = """
            {"title":"p","params":[{"name":"a","type":"text"},{"name":"a","type":"string"},{"name":"","type":"string"}],
             "nodes":[{"id":"s","type":"start","exits":{"next":"f"}},{"id":"f","type":"final","params":{"result":"success"}}]}
            """;
        var answer = await server.PostJson("/api/validate", definition);
        var errors = answer["errors"]!.AsArray().Select(e => ((string?)e!["field"], (string?)e["message"])).ToList();
        Assert.That(errors, Has.Some.Matches<(string? Field, string? Message)>(e => e.Field == "params[0].Type" || (e.Field?.StartsWith("params[0]", StringComparison.Ordinal) == true && e.Message!.Contains("must be one of"))), answer.ToJsonString());
        Assert.That(errors, Has.Some.Matches<(string? Field, string? Message)>(e => e.Message!.Contains("same name")));
        Assert.That(errors, Has.Some.Matches<(string? Field, string? Message)>(e => e.Field?.StartsWith("params[2]", StringComparison.Ordinal) == true));
    }
}
