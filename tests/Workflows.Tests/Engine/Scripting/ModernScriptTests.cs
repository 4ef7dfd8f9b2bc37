using System.Diagnostics;
using System.Text.Json.Nodes;
using Workflows.Engine;
using Workflows.Engine.Scripting;

namespace Workflows.Tests.Engine.Scripting;

/// <summary>Code and condition scripts in modern JavaScript (Jint 4), sloppy mode as Corezoid's scripts expect.</summary>
public class ModernScriptTests
{
    static readonly ScriptHost Host = new(new EngineOptions());

    static JsonObject Run(string src, string data = "{}") => Host.Run(Host.Compile(src), JsonNode.Parse(data)!.AsObject(), 1);

    [Test]
    public void Modern_syntax_runs_in_a_code_node()
    {
        var result = Run("""
            const items = data.items.map(({ price, qty = 1 }) => price * qty);
            let total = 0;
            for (const x of items) total += x;
            class Order { constructor(n) { this.n = n; } get label() { return `order ${this.n}`; } }
            const seen = new Set([1, 1, 2]);
            const byName = new Map([['a', 1]]);
            data.total = total;
            data.label = new Order(data.id).label;
            data.city = data.client?.address?.city ?? 'unknown';
            data.copy = { ...data.client, extra: [...items, seen.size, byName.get('a')] };
            undeclared = 'sloppy mode lets this through';
            """, """{"id":7,"items":[{"price":10,"qty":2},{"price":5}],"client":{"name":"Anna"}}""");
        Assert.That((double?)result["total"], Is.EqualTo(25));
        Assert.That((string?)result["label"], Is.EqualTo("order 7"));
        Assert.That((string?)result["city"], Is.EqualTo("unknown"));
        Assert.That(result["copy"]!.ToJsonString(), Is.EqualTo("""{"name":"Anna","extra":[20,5,2,1]}"""));
    }

    [Test]
    public void Const_and_let_stay_local_to_one_run_of_a_pooled_engine()
    {
        var script = Host.Compile("const once = 1; let twice = 2; class K {} data.n = (data.n ?? 0) + once + twice;");
        var data = new JsonObject();
        for (var i = 0; i < 3; i++) data = Host.Run(script, data, 42);
        Assert.That((int?)data["n"], Is.EqualTo(9));
    }

    [TestCase("data.items?.length > 1 && data.items.every(x => x > 0)", true)]
    [TestCase("`${data.name}`.startsWith('An') && (data.missing ?? 3) === 3", true)]
    [TestCase("[...data.items].includes(5)", false)]
    public void Modern_syntax_runs_in_a_condition(string expression, bool expected)
    {
        var data = JsonNode.Parse("""{"name":"Anna","items":[1,2]}""")!.AsObject();
        Assert.That(Host.Test(Host.CompileExpression(expression), data, 1), Is.EqualTo(expected));
    }

    [TestCase("var a = 1;\nlet b = => 2;", 2, 9)]
    [TestCase("data.x = 1 +;", 1, 13)]
    [TestCase("const x = {\n  a: 1,\n  b: 2\n;", 4, 1)]
    public void Syntax_errors_name_the_line_and_column_of_the_code(string src, int line, int column)
    {
        var error = Assert.Throws<ScriptSyntaxException>(() => Host.Compile(src))!;
        Assert.That((error.Line, error.Column), Is.EqualTo((line, column)), error.Message);
        Assert.That(error.Message, Does.StartWith($"line {line}, column {column}: "));
    }

    [Test]
    public void A_condition_syntax_error_names_its_column()
    {
        var error = Assert.Throws<ScriptSyntaxException>(() => Host.CompileExpression("data.a => 1"))!;
        Assert.That((error.Line, error.Column), Is.EqualTo((1, 8)), error.Message);
    }

    [Test]
    public void A_runtime_error_names_the_line_of_the_code()
    {
        var error = Assert.Throws<ScriptFailureException>(() => Run("const a = 1;\n\nnull.x;"))!;
        Assert.That(error.Tag, Is.EqualTo("script_error"));
        Assert.That(error.Message, Does.StartWith("line 3: "));
    }

    // Each of these is one built-in call doing bulk work in .NET, where no statement is counted.
    [TestCase("data.s = 'x'.repeat(2e9);", "script_error")]
    [TestCase("data.s = new Array(1e9).join();", "memory_limit")]
    [TestCase("data.s = 'x'.padEnd(1e9);", "script_error")]
    [TestCase("data.n = Array.from({ length: 1e8 }).length;", "memory_limit")]
    [TestCase("var a = []; while (1) a.push(new Array(1e6).join('x'));", "memory_limit|timeout")]
    [TestCase("data.ok = /^(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!');", "timeout")]
    [TestCase("data.ok = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'.replace(/^(a+)+$/, 'b');", "timeout")]
    public void Bulk_built_in_calls_fail_within_the_limit(string src, string tags)
    {
        var host = new ScriptHost(new EngineOptions { ScriptTimeoutMs = 1000 });
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<ScriptFailureException>(() => host.Run(host.Compile(src), new JsonObject(), 1))!;
        Assert.That(tags.Split('|'), Does.Contain(error.Tag), error.Message);
        // The limit is 1 s; this machine is shared, so allow it a second more.
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), error.Message);
    }

    [Test]
    public void A_script_stopped_by_the_server_is_cancelled_not_failed()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var host = new ScriptHost(new EngineOptions { ScriptTimeoutMs = 60_000 });
        Assert.Throws<OperationCanceledException>(() => host.Run(host.Compile("while (true) {}"), new JsonObject(), 1, stop.Token));
        Assert.That((int?)host.Run(host.Compile("data.after = 1;"), new JsonObject(), 1)["after"], Is.EqualTo(1));
    }
}
