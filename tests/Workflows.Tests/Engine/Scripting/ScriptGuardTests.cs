using System.Text.Json.Nodes;
using Workflows.Engine;
using Workflows.Engine.Scripting;

namespace Workflows.Tests.Engine.Scripting;

/// <summary>
/// Jint's memory limit; these scripts repeat in each of the ways a script can, with a time limit
/// far away, so only the memory limit can stop them.
/// </summary>
public class ScriptGuardTests
{
    static readonly EngineOptions Options = new() { ScriptTimeoutMs = 60_000, ScriptMemoryLimitBytes = 16L * 1024 * 1024 };

    [TestCase("var s = 'x'; while (true) { s = s + s; }")]
    [TestCase("var s = 'x'; do s += s; while (true);")]
    [TestCase("var a = []; for (var i = 0; ; i++) a.push('item ' + i);")]
    [TestCase("var o = { k: 1 }, n = 0; while (true) { for (var k in o) { o[k + n++] = new Array(100).join(k); } }")]
    // No loop: 150 calls of 200 KB each (the recursion limit is 200).
    [TestCase("function deeper(n) { var s = new Array(100000).join('x'); return n > 0 ? deeper(n - 1) + s.length : 0; } deeper(150);")]
    [TestCase("var a = []; for (var i = 0; i < 1000; i++) a.push(i); while (true) { a = a.map(function (x) { return 'x' + x + x; }); }")]
    [TestCase("if (true) { (function () { var s = 'x'; for (;;) { s = s + s; } })(); }")]
    public void Repeating_allocation_stops_at_the_memory_limit(string src)
    {
        var host = new ScriptHost(Options);
        var error = Assert.Throws<ScriptFailureException>(() => host.Run(host.Compile(src), new JsonObject(), 1))!;
        Assert.That(error.Tag, Is.EqualTo("memory_limit"));
    }

    [Test]
    public void A_condition_expression_is_guarded_too()
    {
        var host = new ScriptHost(Options);
        var error = Assert.Throws<ScriptFailureException>(() => host.Test(host.CompileExpression("(function () { var s = 'x'; while (true) s += s; })()"), new JsonObject(), 1))!;
        Assert.That(error.Tag, Is.EqualTo("memory_limit"));
    }

    [TestCase("eval('1 + 1');")]
    [TestCase("Function('return 1')();")]
    [TestCase("(function () {}).constructor('while (true) {}')();")]
    [TestCase("new Function('a', 'return a')(1);")]
    [TestCase("(async function () {}).constructor('return 1')();")]
    public void Code_cannot_be_built_at_run_time(string src)
    {
        var host = new ScriptHost(Options);
        var error = Assert.Throws<ScriptFailureException>(() => host.Run(host.Compile(src), new JsonObject(), 1))!;
        Assert.That(error.Tag, Is.EqualTo("script_error"));
        Assert.That(error.Message, Does.Contain("eval and the Function constructor are not available in code nodes"));
    }

    [Test]
    public void Straight_line_code_and_loops_still_compute_the_same()
    {
        var host = new ScriptHost(Options);
        var data = JsonNode.Parse("""{"phone":"8 (916) 123-45-67","items":[1,2,3]}""")!.AsObject();
        var script = host.Compile("""
            var p = String(data.phone).replace(/\D/g, '');
            if (p.charAt(0) === '8') { p = '7' + p.substring(1); }
            data.phone = p;
            var sum = 0;
            for (var i = 0; i < data.items.length; i++) sum += data.items[i];
            function twice(x) { return x * 2; }
            data.total = twice(sum);
            """);
        for (var run = 0; run < 3; run++)
        {
            var result = host.Run(script, data, 1);
            Assert.That((string?)result["phone"], Is.EqualTo("79161234567"));
            Assert.That((int?)result["total"], Is.EqualTo(12));
        }
    }

    [Test]
    public void An_engine_whose_script_failed_is_not_used_again()
    {
        var host = new ScriptHost(Options);
        Assert.Throws<ScriptFailureException>(() => host.Run(host.Compile("leaked = 1; function f() { throw new Error('x'); } f();"), new JsonObject(), 1));
        var after = host.Run(host.Compile("data.seen = typeof leaked;"), new JsonObject(), 1);
        Assert.That((string?)after["seen"], Is.EqualTo("undefined"));
    }
}
