using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Security;

/// <summary>
/// Thousands of malformed, truncated, deeply nested, huge, wrongly typed and unicode-laden bodies:
/// every answer is a clear 4xx (or a documented error answer), never a 500, and stored tasks are unchanged.
/// </summary>
[Category(Categories.Slow)]
public sealed class HostileInputTests
{
    static readonly string[] Oddities =
    [
        "", "null", "true", "0", "-1", "1e309", "\"\"", "[]", "{}", "\"\\u0000\"", "\"\\ud800\"", "\"\u202Eevil\"", "\"😀🔥\"",
        "\"" + new string('я', 5000) + "\"", "99999999999999999999999999", "{\"$\":{\"$\":null}}", "[[[[[[[[[[]]]]]]]]]]",
        "\"'; DROP TABLE tasks; --\"", "\"{{root.task_id}}\"", "\"$.math(1/0)\"", "{\"__proto__\":{\"x\":1}}",
    ];

    static string Mutate(Random random, string valid)
    {
        switch (random.Next(9))
        {
            case 0: return valid[..random.Next(valid.Length)]; // truncated
            case 1:
            {
                var chars = valid.ToCharArray();
                for (var i = 0; i < 1 + random.Next(5); i++) chars[random.Next(chars.Length)] = (char)random.Next(0, 0x3000);
                return new string(chars);
            }
            case 2: return string.Concat(Enumerable.Repeat("[", 100 + random.Next(5000))) + string.Concat(Enumerable.Repeat("]", random.Next(2) == 0 ? 0 : 5000));
            case 3:
            {
                // A field replaced by something of another type.
                var node = JsonNode.Parse(valid)!;
                var op = node["ops"]!.AsArray()[0]!.AsObject();
                var key = new[] { "type", "obj", "conv_id", "ref", "data", "id", "obj_id" }[random.Next(7)];
                var odd = Oddities[random.Next(Oddities.Length)] is { Length: > 0 } o ? o : "null";
                op[key] = JsonNode.Parse(odd);
                try { return node.ToJsonString(); }
                catch (InvalidOperationException) { return valid.Replace("\"fuzz\"", odd, StringComparison.Ordinal); }
            }
            case 4: return "{\"ops\":" + Oddities[random.Next(Oddities.Length)] + "}";
            case 5: return Oddities[random.Next(Oddities.Length)];
            case 6:
            {
                var deep = new StringBuilder();
                var depth = 10 + random.Next(300);
                for (var i = 0; i < depth; i++) deep.Append("{\"a\":");
                deep.Append('1').Append('}', depth);
                return "{\"ops\":[{\"type\":\"create\",\"obj\":\"task\",\"data\":" + deep + "}]}";
            }
            case 7:
            {
                var ops = string.Join(",", Enumerable.Range(0, random.Next(1, 40)).Select(_ => "{\"type\":\"" + (random.Next(3) == 0 ? "modify" : "create") + "\",\"obj\":\"task\",\"ref\":\"r" + random.Next(30) + "\",\"data\":{\"k\":" + Oddities[random.Next(1, Oddities.Length)] + "}}"));
                return "{\"ops\":[" + ops + "]}";
            }
            default: return valid.Replace("\"create\"", "\"cr\\u0065ate\"", StringComparison.Ordinal) + new string(' ', random.Next(3)) + (random.Next(2) == 0 ? "garbage" : "");
        }
    }

    [Test]
    public async Task Malformed_public_api_bodies_never_get_a_500_and_leave_stored_tasks_unchanged()
    {
        await using var server = await TestServer.StartAsync(new() { ["Workflows:PublicRequestsPerSecond"] = "0" });
        var (conv, hash) = await server.CreateProcess(Definition("target",
            Node("start", "start", exits: JsonNode.Parse("""{"next":"wait"}""")!.AsObject()),
            Node("wait", "wait_callback", JsonNode.Parse("""{"timeout_seconds":86400}""")!.AsObject(), JsonNode.Parse("""{"next":"done","timeout":"done"}""")!.AsObject()),
            Final("done")));
        var keep = new List<string>();
        for (var i = 0; i < 5; i++) keep.Add(await server.CreateTask(conv, hash, new JsonObject { ["keep"] = i }, $"keep-{i}"));
        foreach (var id in keep) await server.WaitFor(id, "waiting");
        var before = await Task.WhenAll(keep.Select(id => server.Task(id)));

        var random = new Random(20261122);
        var valid = $$$"""{"ops":[{"id":"x","type":"create","obj":"task","conv_id":{{{conv}}},"ref":"fuzz","data":{"name":"Иван","phone":"89161234567"}}]}""";
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < 2500; i++)
        {
            var body = Mutate(random, valid);
            using var response = await server.Http.PostJsonAsync($"/api/1/json/public/{conv}/{hash}", body);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.That(status, Is.LessThan(500), $"body #{i} got {status}: {body[..Math.Min(body.Length, 300)]} → {text[..Math.Min(text.Length, 300)]}");
            Assert.That(() => JsonNode.Parse(text), Throws.Nothing, $"answer to body #{i} is not JSON: {text[..Math.Min(text.Length, 300)]}");
        }
        TestContext.Out.WriteLine(string.Join(", ", statuses.Select(kv => $"{kv.Key}: {kv.Value}")));

        var after = await Task.WhenAll(keep.Select(id => server.Task(id)));
        for (var i = 0; i < keep.Count; i++)
        {
            // A fuzzed modify by ref may have legitimately woken no task; the kept ones must not have changed.
            Assert.That(after[i]["data"]!.ToJsonString(), Is.EqualTo(before[i]["data"]!.ToJsonString()));
            Assert.That((string?)after[i]["status"], Is.EqualTo("waiting"));
        }
        var health = await server.GetJson("/health");
        Assert.That((string?)health["status"], Is.EqualTo("ready"));
        await HostileCorpusTests.RestartsCleanly(server);
    }

    [Test]
    public async Task Malformed_definitions_never_get_a_500_and_nothing_half_saved()
    {
        await using var server = await TestServer.StartAsync();
        var root = TestContext.CurrentContext.TestDirectory;
        while (!File.Exists(Path.Combine(root, "Workflows.sln"))) root = Path.GetDirectoryName(root)!;
        var valid = await File.ReadAllTextAsync(Path.Combine(root, "processes", "normalize-phone.json"));
        var random = new Random(7);
        var created = 0;
        for (var i = 0; i < 600; i++)
        {
            string body;
            if (i % 3 == 0) body = valid[..random.Next(valid.Length)];
            else
            {
                // Built as a JSON tree, so a lone-surrogate oddity is spliced in as text below instead.
                var node = JsonNode.Parse(valid)!.AsObject();
                node.Remove("conv_id");
                var nodes = node["nodes"]!.AsArray();
                var target = nodes[random.Next(nodes.Count)]!.AsObject();
                var field = new[] { "id", "type", "params", "exits", "x", "count_limit", "title" }[random.Next(7)];
                target[field] = JsonNode.Parse(Oddities[random.Next(1, Oddities.Length)]);
                if (random.Next(4) == 0) node["settings"] = JsonNode.Parse(Oddities[random.Next(1, Oddities.Length)]);
                if (random.Next(4) == 0) node["schedules"] = JsonNode.Parse("[{\"cron\":" + Oddities[random.Next(1, Oddities.Length)] + "}]");
                try { body = node.ToJsonString(); }
                catch (InvalidOperationException) { body = valid.Replace("\"title\"", "\"x\":\"\\ud800\",\"title\"", StringComparison.Ordinal); }
            }
            foreach (var url in new[] { "/api/validate", "/api/processes" })
            {
                using var response = await server.Http.PostJsonAsync(url, body);
                var text = await response.Content.ReadAsStringAsync();
                Assert.That((int)response.StatusCode, Is.LessThan(500), $"{url} #{i}: {body[..Math.Min(300, body.Length)]} → {text[..Math.Min(300, text.Length)]}");
                if (url == "/api/processes" && response.StatusCode == HttpStatusCode.Created) created++;
            }
        }
        // Every process that exists was created whole: it loads and validates.
        foreach (var process in (await server.GetJson("/api/processes")).AsArray())
        {
            var definition = await server.Http.GetStringAsync($"/api/processes/{(long)process!["conv_id"]!}/export");
            Assert.That((bool?)(await server.PostJson("/api/validate", definition))["valid"], Is.True);
        }
        TestContext.Out.WriteLine($"{created} mutated definitions were still valid and saved");
        await HostileCorpusTests.RestartsCleanly(server);
    }

    [TestCase("for (;;) { data.x = (data.x || 0) + 1; }", "err")]
    [TestCase("var o = {}; o.self = o; data.loop = o;", "err")]
    [TestCase("data = null;", "err")]
    [TestCase("data = [1, 2];", "err")]
    [TestCase("throw 'a string';", "err")]
    [TestCase("throw { message: 'an object' };", "err")]
    [TestCase("Object.defineProperty(data, 'x', { get: function () { throw new Error('getter'); }, enumerable: true });", "any")]
    [TestCase("data.d = new Date(NaN); data.n = NaN; data.i = Infinity;", "any")]
    [TestCase("JSON.parse('{\"a\":' + new Array(300).join('[') );", "err")]
    [TestCase("eval('while(true){}');", "err")]
    [TestCase("Function('return this')().process;", "any")]
    [TestCase("var s = 'x'; for (var i = 0; i < 30; i++) { s = s + s; } data.s = s.length;", "any")]
    public async Task Hostile_scripts_end_in_the_error_exit_or_succeed_but_never_break_the_engine(string src, string expected)
    {
        await using var server = await TestServer.StartAsync(new() { ["Workflows:ScriptTimeoutMs"] = "500" });
        var (conv, hash) = await server.CreateProcess(Single("code", new JsonObject { ["src"] = src }));
        var task = await server.WaitFor(await server.CreateTask(conv, hash, new JsonObject { ["k"] = 1 }), timeoutMs: 20_000);
        Assert.That((string?)task["node_id"], expected == "any" ? Is.AnyOf("ok", "err") : Is.EqualTo(expected), task.ToJsonString());
        if ((string?)task["node_id"] == "err")
            Assert.That((string?)task["data"]!["__conveyor_code_return_description__"], Is.Not.Empty);
        var health = await server.GetJson("/health");
        Assert.That((string?)health["status"], Is.EqualTo("ready"));
        await HostileCorpusTests.RestartsCleanly(server);
    }
}
