using Workflows.Tests.Support;
using System.Text;
using System.Text.Json.Nodes;

namespace Workflows.Tests.Processes;

/// <summary>Every bundled template passes validation and is loaded at first start, under its alias.</summary>
public sealed class TemplateValidationTests : TemplateFixture
{
    public static IEnumerable<string> Files() =>
        Directory.GetFiles(ProcessesFolder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(ProcessesFolder, f));

    [TestCaseSource(nameof(Files))]
    public async Task The_template_is_valid(string file)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(ProcessesFolder, file));
        using var response = await Server.Http.PostJsonAsync("/api/validate", text);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That((bool?)answer["valid"], Is.True, answer.ToJsonString());
    }

    [Test]
    public async Task Every_template_is_loaded_at_first_start_with_its_conv_id_and_alias()
    {
        foreach (var file in Files())
        {
            var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ProcessesFolder, file)))!;
            var convId = (long)definition["conv_id"]!;
            var loaded = await Server.GetJson($"/api/processes/{convId}");
            Assert.That((string?)loaded["title"], Is.EqualTo((string?)definition["title"]), file);
            if (definition["alias"] is { } alias) Assert.That((string?)loaded["alias"], Is.EqualTo((string?)alias), file);
        }
    }
}
