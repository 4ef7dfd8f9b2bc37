using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;

namespace Workflows.Tests.Server.Api;

/// <summary>The designer's API types are generated from designer/openapi.json: that copy must be the server's document.</summary>
public sealed class OpenApiDocumentTests
{
    [Test]
    public async Task The_designer_s_copy_of_the_OpenAPI_document_is_the_server_s()
    {
        await using var server = await TestServer.StartAsync();
        var served = JsonNode.Parse(await server.Http.GetStringAsync("/openapi/v1.json"))!;
        var path = Path.Combine(Repo.Root, "designer", "openapi.json");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));
        if (JsonNode.DeepEquals(served, committed)) return;
        // WORKFLOWS_UPDATE_OPENAPI=1 writes the served document; then `npm run api-types` in designer/.
        if (Environment.GetEnvironmentVariable("WORKFLOWS_UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(path, served.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        Assert.Fail("designer/openapi.json differs from /openapi/v1.json: run this test with WORKFLOWS_UPDATE_OPENAPI=1, "
            + "then `npm run api-types` in designer/ and commit both files");
    }
}
