using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Security;

/// <summary>
/// A corpus of hostile bodies (duplicate and case-duplicate keys, nulls inside arrays, extreme numbers
/// and ids, deep nesting, bad UTF-8, huge bodies) sent to every public and management surface and the
/// importer. Every answer is under 500 and readable; a refused request leaves the store exactly as it
/// was; the tasks stored before are unchanged; and the server starts again on the database left behind.
/// docs/security.md lists the corpus.
/// </summary>
[Category(Categories.Slow)]
public sealed class HostileCorpusTests
{
    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    static byte[] Join(params object[] parts) =>
        parts.SelectMany(p => p is byte[] b ? b : Utf8((string)p)).ToArray();

    static string Deep(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>JSON values that are hostile wherever a value goes: (name, bytes).</summary>
    static readonly (string Name, byte[] Value)[] Values =
    [
        ("duplicate key", Utf8("""{"a":1,"a":2}""")),
        ("case-duplicate keys", Utf8("""{"a":1,"A":2}""")),
        ("nulls inside an array", Utf8("""{"list":[null,null,{"x":null}]}""")),
        ("1e400", Utf8("""{"n":1e400}""")),
        ("-1e400", Utf8("""{"n":-1e400}""")),
        ("1e-400", Utf8("""{"n":1e-400}""")),
        ("30-digit integer", Utf8("""{"n":123456789012345678901234567890}""")),
        ("long.MaxValue + 1", Utf8("""{"n":9223372036854775808}""")),
        ("65 levels", Utf8(Deep(65))),
        ("10,000 levels", Utf8(Deep(10_000))),
        ("lone surrogate escape", Utf8("""{"s":"\ud800"}""")),
        ("lone surrogate key", Utf8("""{"\udc00":1}""")),
        ("invalid UTF-8 byte", Join("""{"s":" """, new byte[] { 0xFF, 0xFE }, "\"}")),
        ("overlong UTF-8", Join("""{"s":" """, new byte[] { 0xC0, 0xAF }, "\"}")),
        ("UTF-8 encoded surrogate", Join("""{"s":" """, new byte[] { 0xED, 0xA0, 0x80 }, "\"}")),
        ("NUL and bidi", Utf8("{\"s\":\"\\u0000\u202Eevil\"}")),
    ];

    /// <summary>Whole bodies for the ops envelope, built around the values above plus envelope oddities.</summary>
    static IEnumerable<(string Name, byte[] Body)> OpsBodies(long conv)
    {
        var create = $$$"""{"conv_id":{{{conv}}},"type":"create","obj":"task","ref":"valid-first","data":{"ok":1}}""";
        foreach (var (name, value) in Values)
        {
            yield return ($"data: {name}", Join("""{"ops":[{"type":"create","obj":"task","data":""", value, "}]}"));
            // A valid create first: the unreadable second op must not leave the first one stored.
            yield return ($"valid op then data: {name}", Join("{\"ops\":[", create, """,{"type":"create","obj":"task","data":""", value, "}]}"));
        }
        yield return ("duplicate type in the second op", Utf8($$$"""{"ops":[{{{create}}},{"type":"create","type":"create","obj":"task"}]}"""));
        yield return ("duplicate ops", Utf8("""{"ops":[],"ops":[]}"""));
        yield return ("case-duplicate Ops", Utf8("""{"ops":[],"OPS":[1]}"""));
        yield return ("op that is a number", Utf8("""{"ops":[1]}"""));
        yield return ("null op", Utf8("""{"ops":[null]}"""));
        yield return ("ops of nulls", Utf8("""{"ops":[null,null,null]}"""));
        yield return ("conv_id long.MaxValue", Utf8("""{"ops":[{"type":"create","obj":"task","conv_id":9223372036854775807}]}"""));
        yield return ("conv_id 1e400", Utf8("""{"ops":[{"type":"create","obj":"task","conv_id":1e400}]}"""));
        yield return ("conv_id -1", Utf8("""{"ops":[{"type":"create","obj":"task","conv_id":-1}]}"""));
        yield return ("obj_id of 10,000 digits", Utf8($$$"""{"ops":[{"type":"modify","obj":"task","obj_id":"{{{new string('f', 10_000)}}}"}]}"""));
        yield return ("ref 1e400", Utf8("""{"ops":[{"type":"create","obj":"task","ref":1e400}]}"""));
        yield return ("ref of 10,000 characters", Utf8($$$"""{"ops":[{"type":"create","obj":"task","ref":"{{{new string('r', 10_000)}}}"}]}"""));
        yield return ("empty", []);
        yield return ("BOM only", [0xEF, 0xBB, 0xBF]);
        yield return ("2 MB string", Utf8("""{"ops":[{"type":"create","obj":"task","data":{"s":" """ + new string('x', 2_000_000) + "\"}}]}"));
    }

    /// <summary>Definitions that must be refused with a 400 and stored nowhere (or, where marked, accepted whole).</summary>
    static IEnumerable<(string Name, string Body)> Definitions()
    {
        var valid = JsonNode.Parse(Waiting("corpus"))!.AsObject();
        JsonObject With(Action<JsonObject> change)
        {
            var copy = valid.DeepClone().AsObject();
            change(copy);
            return copy;
        }
        var api = Node("call", "api", new JsonObject { ["url"] = "https://example.com/", ["headers"] = new JsonObject { ["Content-Type"] = "a", ["content-type"] = "b" } },
            new JsonObject { ["next"] = "done", ["error"] = "done" });
        yield return ("one header in two spellings", With(d => { d["nodes"]!.AsArray().Add(api); d["nodes"]![0]!["exits"]!["next"] = "call"; d["nodes"]!.AsArray().RemoveAt(1); }).ToJsonString());
        yield return ("schedules [null]", With(d => d["schedules"] = new JsonArray((JsonNode?)null)).ToJsonString());
        yield return ("nodes [null]", With(d => d["nodes"]!.AsArray().Add(null)).ToJsonString());
        yield return ("conv_id long.MaxValue", With(d => d["conv_id"] = long.MaxValue).ToJsonString());
        yield return ("conv_id 2^53", With(d => d["conv_id"] = 9007199254740992).ToJsonString());
        yield return ("conv_id 0", With(d => d["conv_id"] = 0).ToJsonString());
        yield return ("loop_limit 1e400", valid.ToJsonString().Replace("\"title\"", "\"settings\":{\"loop_limit\":1e400},\"title\"", StringComparison.Ordinal));
        yield return ("x 1e400", valid.ToJsonString().Replace("\"type\":\"start\"", "\"type\":\"start\",\"x\":1e400", StringComparison.Ordinal));
        yield return ("duplicate title", valid.ToJsonString().Replace("\"title\"", "\"title\":\"one\",\"title\"", StringComparison.Ordinal));
        yield return ("duplicate node key", valid.ToJsonString().Replace("\"type\":\"start\"", "\"type\":\"start\",\"type\":\"final\"", StringComparison.Ordinal));
        yield return ("duplicate param key", valid.ToJsonString().Replace("\"timeout_seconds\":86400", "\"timeout_seconds\":86400,\"timeout_seconds\":1", StringComparison.Ordinal));
        yield return ("lone surrogate in a title", valid.ToJsonString().Replace("\"corpus\"", "\"\\ud800\"", StringComparison.Ordinal));
        yield return ("65 levels in params", valid.ToJsonString().Replace("\"timeout_seconds\":86400", "\"timeout_seconds\":86400,\"deep\":" + Deep(65), StringComparison.Ordinal));
    }

    static string Waiting(string title) => TestProcesses.Definition(title,
        Node("start", "start", exits: new JsonObject { ["next"] = "wait" }),
        Node("wait", "wait_callback", new JsonObject { ["timeout_seconds"] = 86400, ["ref_path"] = "order" }, new JsonObject { ["next"] = "done", ["timeout"] = "done" }),
        Final("done"));

    const int Closed = 0;
    const int ServerBodyLimit = 4 * 1024 * 1024;

    sealed class Surfaces(TestServer server, long conv, string hash, string login, string secret)
    {
        HttpClient? _anonymous;
        HttpClient Anonymous => _anonymous ??= new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        public async Task<(int Status, string Text)> Post(string url, byte[] body, bool anonymous = false, string method = "POST")
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            try
            {
                using var response = await (anonymous ? Anonymous : server.Http).SendAsync(request);
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException) when (body.Length > ServerBodyLimit)
            {
                // Over Kestrel's own limit the server answers 413 and closes the connection without
                // draining the rest, so the client may fail writing before it reads the answer.
                return (Closed, "");
            }
        }

        public Task<(int, string)> Public(byte[] body) => Post($"/api/1/json/public/{conv}/{hash}", body, anonymous: true);
        public Task<(int, string)> Webhook(byte[] body) => Post($"/webhook/{conv}/{hash}", body, anonymous: true);
        public Task<(int, string)> Callback(byte[] body) => Post($"/api/1/json/callback/{conv}/{hash}/wait", body, anonymous: true);

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Signs as Corezoid's signed API defines it (SHA-1).")]
        public Task<(int, string)> Signed(byte[] body)
        {
            var time = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var signature = Convert.ToHexStringLower(SHA1.HashData(Join(time + secret, body, secret)));
            return Post($"/api/2/json/{login}/{time}/{signature}", body, anonymous: true);
        }
    }

    /// <summary>Everything a request could have written: the process's tasks, the processes and their versions, users and credentials.</summary>
    static async Task<string> Store(TestServer server, long conv)
    {
        var tasks = await server.GetJson($"/api/processes/{conv}/tasks?limit=1000");
        var processes = await server.GetJson("/api/processes");
        var users = await server.GetJson("/api/users");
        var credentials = await server.GetJson("/api/credentials");
        foreach (var p in processes.AsArray()) p!.AsObject().Remove("tasks");
        foreach (var t in tasks.AsArray()) t!.AsObject().Remove("changed_at");
        return new JsonArray(tasks.DeepClone(), processes.DeepClone(), users.DeepClone(), credentials.DeepClone()).ToJsonString();
    }

    /// <summary>A refusal: a 4xx, a refused request, or an ops answer in which no op was carried out.</summary>
    static bool Refused(int status, JsonNode? answer) =>
        status >= 400
        || (string?)answer?["request_proc"] is { } proc && proc != "ok"
        || answer?["ops"] is JsonArray ops && ops.Count > 0 && ops.All(o => (string?)o?["proc"] != "ok");

    [Test]
    public async Task Every_surface_refuses_the_corpus_cleanly_stores_nothing_refused_and_the_server_restarts()
    {
        await using var server = await TestServer.StartAsync(new() { ["Workflows:PublicRequestsPerSecond"] = "0", ["Workflows:UserRequestsPerSecond"] = "0" });
        var (conv, hash) = await server.CreateProcess(Waiting("target"));
        var keep = new List<string>();
        for (var i = 0; i < 3; i++) keep.Add(await server.CreateTask(conv, hash, new JsonObject { ["keep"] = i, ["order"] = $"keep-{i}" }, $"keep-{i}"));
        foreach (var id in keep) await server.WaitFor(id, "waiting");
        var before = await Task.WhenAll(keep.Select(id => server.Task(id)));
        // A task the management callback may wake when a hostile-looking body is still valid JSON.
        var victim = await server.CreateTask(conv, hash, new JsonObject { ["order"] = "victim" }, "victim");
        await server.WaitFor(victim, "waiting");
        var user = await server.PostJson("/api/users", """{"login":"corpus","role":"editor"}""");
        var surfaces = new Surfaces(server, conv, hash, "corpus", (string)user["api_secret"]!);

        var sent = 0;
        var settle = false;
        async Task Check(string surface, string name, Func<Task<(int Status, string Text)>> send)
        {
            var store = await Store(server, conv);
            // An accepted request may still be moving a task (a woken task runs on after the answer): wait until it rests.
            while (settle)
            {
                await Task.Delay(50);
                var again = await Store(server, conv);
                settle = again != store;
                store = again;
            }
            var (status, text) = await send();
            sent++;
            var what = $"{surface} / {name} → {status} {text[..Math.Min(text.Length, 300)]}";
            Assert.That(status, Is.LessThan(500), what);
            if (status == Closed) status = 413;
            JsonNode? answer = null;
            if (text.Length > 0) Assert.That(() => answer = JsonNode.Parse(text), Throws.Nothing, what);
            if (Refused(status, answer)) Assert.That(await Store(server, conv), Is.EqualTo(store), $"a refused request changed the store: {what}");
            else settle = true;
            TestContext.Out.WriteLine(what.Length > 160 ? what[..160] : what);
        }

        var manual = $"/api/processes/{conv}/tasks";
        foreach (var (name, body) in OpsBodies(conv))
        {
            await Check("public", name, () => surfaces.Public(body));
            await Check("signed", name, () => surfaces.Signed(AddConvId(body, conv)));
        }
        foreach (var (name, value) in Values.Append(("2 MB string", Utf8("{\"s\":\"" + new string('x', 2_000_000) + "\"}"))).Append(("5 MB string", Utf8("{\"s\":\"" + new string('x', 5_000_000) + "\"}"))))
        {
            await Check("webhook", name, () => surfaces.Webhook(value));
            await Check("callback", name, () => surfaces.Callback(value));
            await Check("management: create task", name, () => surfaces.Post(manual, Join("{\"ref\":\"m\",\"data\":", value, "}")));
            await Check("management: callback", name, () => surfaces.Post($"/api/tasks/{victim}/callback", value));
            await Check("management: users", name, () => surfaces.Post("/api/users", value));
            await Check("management: credentials", name, () => surfaces.Post("/api/credentials/corpus", Join("{\"kind\":\"x\",\"fields\":", value, "}"), method: "PUT"));
            await Check("importer", name, () => surfaces.Post("/api/import/corezoid", value));
            var definition = Join(Waiting("corpus")[..^1], ",\"settings\":", value, "}");
            await Check("management: validate", name, () => surfaces.Post("/api/validate", definition));
            await Check("management: create process", name, () => surfaces.Post("/api/processes", definition));
            await Check("management: save process", name, () => surfaces.Post($"/api/processes/{conv}", definition, method: "PUT"));
        }
        foreach (var (name, definition) in Definitions())
        {
            await Check("management: create process", name, () => surfaces.Post("/api/processes", Utf8(definition)));
            await Check("management: save process", name, () => surfaces.Post($"/api/processes/{conv}", Utf8(definition), method: "PUT"));
        }
        TestContext.Out.WriteLine($"{sent} hostile requests");

        var after = await Task.WhenAll(keep.Select(id => server.Task(id)));
        for (var i = 0; i < keep.Count; i++)
        {
            Assert.That(after[i]["data"]!.ToJsonString(), Is.EqualTo(before[i]["data"]!.ToJsonString()));
            Assert.That((string?)after[i]["status"], Is.EqualTo("waiting"));
        }
        await RestartsCleanly(server);
    }

    /// <summary>The signed API needs conv_id in each op; ops that name none get this process's (bytes untouched otherwise).</summary>
    static byte[] AddConvId(byte[] body, long conv) =>
        body.AsSpan().IndexOf(Utf8("\"conv_id\"")) >= 0 ? body : ReplaceBytes(body, Utf8("{\"type\":\"create\","), Utf8($"{{\"conv_id\":{conv},\"type\":\"create\","));

    /// <summary>Replaces bytes without decoding, so bodies that are not valid UTF-8 stay exactly as they were.</summary>
    static byte[] ReplaceBytes(byte[] source, byte[] find, byte[] with)
    {
        var result = new List<byte>(source.Length + 64);
        for (var i = 0; i < source.Length;)
        {
            if (i + find.Length <= source.Length && source.AsSpan(i, find.Length).SequenceEqual(find)) { result.AddRange(with); i += find.Length; }
            else result.Add(source[i++]);
        }
        return [.. result];
    }

    /// <summary>The server starts again on the database the test left, ready, with no process broken.</summary>
    internal static async Task RestartsCleanly(TestServer server)
    {
        await server.RestartAsync();
        Assert.That((string?)(await server.GetJson("/health"))["status"], Is.EqualTo("ready"));
        foreach (var process in (await server.GetJson("/api/processes")).AsArray())
            Assert.That((string?)process!["status"], Is.Not.EqualTo("broken"), process.ToJsonString());
    }

    [Test]
    public async Task A_set_parameters_path_deeper_than_data_may_nest_takes_the_nodes_error_exit()
    {
        await using var server = await TestServer.StartAsync();
        var path = string.Join('.', Enumerable.Repeat("a", 10_000));
        var (conv, hash) = await server.CreateProcess(Single("set_param", new JsonObject { ["values"] = new JsonObject { [path] = "1" } }));
        var task = await server.WaitFor(await server.CreateTask(conv, hash, new JsonObject { ["k"] = 1 }));
        Assert.That((string?)task["node_id"], Is.EqualTo("err"), task.ToJsonString()[..Math.Min(400, task.ToJsonString().Length)]);
        Assert.That((string?)task["data"]!["__conveyor_set_param_return_description__"] ?? task["data"]!.ToJsonString(), Does.Contain("levels"));
        using var response = await server.Http.PostAsync($"/api/processes/{conv}/tasks", new StringContent("""{"data":{}}""", Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        await RestartsCleanly(server);
    }

    [Test]
    public async Task The_signed_api_answers_an_op_that_is_not_an_object_as_the_public_api_does()
    {
        await using var server = await TestServer.StartAsync();
        var (conv, hash) = await server.CreateProcess(Waiting("target"));
        var user = await server.PostJson("/api/users", """{"login":"signer","role":"editor"}""");
        var surfaces = new Surfaces(server, conv, hash, "signer", (string)user["api_secret"]!);
        var (signedStatus, signed) = await surfaces.Signed(Utf8("""{"ops":[1]}"""));
        var (publicStatus, plain) = await surfaces.Public(Utf8("""{"ops":[1]}"""));
        Assert.That(signedStatus, Is.EqualTo(200), signed);
        Assert.That(publicStatus, Is.EqualTo(200), plain);
        Assert.That(JsonNode.Parse(signed)!["ops"]!.ToJsonString(), Is.EqualTo(JsonNode.Parse(plain)!["ops"]!.ToJsonString()));
        Assert.That((string?)JsonNode.Parse(signed)!["ops"]![0]!["description"], Is.EqualTo("each op must be a JSON object"));
    }
}
