using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Server.Api;

/// <summary>Environment variables: {{env_var[@name]}} in any template; a secret reaches only the outside.</summary>
public sealed class EnvVarsTests
{
    const string Token = "tok-5ecret-9f2c-77";

    static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    static async Task<HttpStatusCode> Put(TestServer server, string name, string body)
    {
        using var response = await server.Http.PutJsonAsync($"/api/env/{name}", body);
        return response.StatusCode;
    }

    [Test]
    public async Task Variables_are_read_in_templates_and_a_secret_only_reaches_the_outside()
    {
        await using var fake = await FakeService.StartAsync();
        await using var server = new TestServer(new() { ["Workflows:StopGraceMs"] = "300" });
        await server.StartAsync();
        Assert.That(await Put(server, "crm-url", new JsonObject { ["value"] = fake.Url("/") }.ToJsonString()), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await Put(server, "crm-token", new JsonObject { ["value"] = Token, ["secret"] = true }.ToJsonString()), Is.EqualTo(HttpStatusCode.OK));
        await server.RestartAsync();

        var (conv, hash) = await server.CreateProcess(Definition("crm with env vars",
            Node("start", "start", exits: P("""{"next":"vars"}""")),
            Node("vars", "set_param", P("""{"values":{"base":"{{env_var[@crm-url]}}","leaked":"{{env_var[@crm-token]}}","unknown":"[{{env_var[@nope]}}]"}}"""), P("""{"next":"call"}""")),
            Node("call", "api", P("""{"method":"POST","url":"{{env_var[@crm-url]}}echo","headers":{"X-Token":"{{env_var[@crm-token]}}"},"body":{"token":"{{env_var[@crm-token]}}"},"response_key":"echo"}"""),
                P("""{"next":"done","error":"failed"}""")),
            Final("done"), Final("failed", "error")));
        var id = await server.CreateTask(conv, hash, []);
        var task = await server.WaitFor(id);
        Assert.That((string?)task["node_id"], Is.EqualTo("done"), task.ToJsonString());
        Assert.That((string?)task["data"]!["base"], Is.EqualTo(fake.Url("/")), "a visible variable reads anywhere");
        Assert.That((string?)task["data"]!["leaked"], Is.EqualTo(""), "a secret reads as empty outside an API call");
        Assert.That((string?)task["data"]!["unknown"], Is.EqualTo("[]"), "an unknown variable reads as empty");
        // The service got the secret (header and body); its echo comes back masked.
        Assert.That((string?)task["data"]!["echo"]!["header_x_token"], Is.EqualTo("***"));
        Assert.That((string?)task["data"]!["echo"]!["body"], Is.EqualTo("""{"token":"***"}"""));

        var everything = string.Join("\n",
            task.ToJsonString(),
            await server.Http.GetStringAsync($"/api/processes/{conv}/export"),
            await server.Http.GetStringAsync($"/api/processes/{conv}/tasks"),
            await server.Http.GetStringAsync("/api/env"));
        Assert.That(everything, Does.Not.Contain(Token), "the secret is in no answer, history or export");
        var list = (await server.GetJson("/api/env")).AsArray();
        Assert.That(list.Select(v => ((string?)v!["name"], (bool?)v["secret"], (string?)v["value"])),
            Is.EqualTo(new[] { ("crm-token", (bool?)true, (string?)null), ("crm-url", false, fake.Url("/")) }), "kept across the restart");
    }

    [Test]
    public async Task Bad_names_and_values_are_a_400_and_deleting_an_unknown_variable_a_404()
    {
        await using var server = await TestServer.StartAsync();
        Assert.That(await Put(server, "bad%20name", """{"value":"x"}"""), Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await Put(server, "ok", """{"value":5}"""), Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await Put(server, "ok", """{"value":"x","secret":"yes"}"""), Is.EqualTo(HttpStatusCode.BadRequest));
        using var deleted = await server.Http.DeleteAsync("/api/env/none");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var invalid = await server.PostJson("/api/validate", Definition("bad ref",
            Node("start", "start", exits: P("""{"next":"vars"}""")),
            Node("vars", "set_param", P("""{"values":{"x":"{{env_var[name]}}"}}"""), P("""{"next":"done"}""")),
            Final("done")));
        Assert.That((string?)invalid["errors"]![0]!["message"], Does.Contain("env_var[@name]"));
    }

    [Test]
    public async Task An_import_keeps_env_var_references_and_lists_the_variables_it_needs()
    {
        await using var server = await TestServer.StartAsync();
        await Put(server, "payment-api-url", """{"value":"https://pay.example/"}""");
        var export = CorezoidExport.Folder(CorezoidExport.Process(0, "payments",
            CorezoidExport.Start("pay"),
            CorezoidExport.Node("pay", 0,
                CorezoidExport.Logic("""{"type":"api","method":"POST","url":"{{env_var[@payment-api-url]}}charge","extra":{"key":"{{env_var[@payment-key]}}"},"extra_type":{"key":"string"},"err_node_id":"e"}"""),
                CorezoidExport.Go("f")),
            CorezoidExport.Final("f"), CorezoidExport.Final("e", error: true)));
        var answer = await server.PostJson("/api/import/corezoid", export);
        Assert.That((bool?)answer["processes"]![0]!["created"], Is.True, answer.ToJsonString());
        Assert.That(answer["env_vars"]!.AsArray().Select(v => ((string?)v!["name"], (bool?)v["defined"])),
            Is.EqualTo(new[] { ("payment-api-url", (bool?)true), ("payment-key", false) }));
        var convId = (long)answer["processes"]![0]!["process"]!["conv_id"]!;
        var stored = await server.GetJson($"/api/processes/{convId}");
        Assert.That((string?)stored["definition"]!["nodes"]!.AsArray().Single(n => (string?)n!["id"] == "pay")!["params"]!["url"], Is.EqualTo("{{env_var[@payment-api-url]}}charge"));
    }
}
