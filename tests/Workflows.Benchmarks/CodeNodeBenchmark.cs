using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Workflows.Engine;
using Workflows.Engine.Scripting;

namespace Workflows.Benchmarks;

/// <summary>Code node evaluations: a pooled engine running a cached program on a small task.</summary>
[MemoryDiagnoser]
public class CodeNodeBenchmark
{
    readonly ScriptHost _host = new(new EngineOptions());
    CompiledScript _script = null!;
    CompiledScript _expression = null!;
    CompiledScript _moment = null!;
    readonly JsonObject _data = JsonNode.Parse("""{"name":"Ivan","phone":"89161234567","cookies":{"utm_source":"p1"}}""")!.AsObject();

    [GlobalSetup]
    public void Setup()
    {
        _script = _host.Compile("var p = String(data.phone).replace(/\\D/g, ''); if (p.charAt(0) === '8') { p = '7' + p.substring(1); } data.phone = p;");
        _expression = _host.CompileExpression("data.phone.length > 11");
        _moment = _host.Compile("require(\"libs/moment-timezone.js\");\ndata.moscow = moment.tz('2026-12-03 10:00', 'UTC').tz('Europe/Moscow').format('YYYY-MM-DD HH:mm');");
    }

    [Benchmark]
    public JsonObject CodeNode() => _host.Run(_script, _data, 1);

    [Benchmark]
    public bool ConditionExpression() => _host.Test(_expression, _data, 1);

    /// <summary>The code node as the engine runs it: inline within the budget (a script past it moves to a script thread).</summary>
    [Benchmark]
    public JsonObject CodeNodeOnEnginePath() => _host.RunAsync(_script, _data, 1).GetAwaiter().GetResult();

    /// <summary>The JS condition as the engine runs it.</summary>
    [Benchmark]
    public bool ConditionOnEnginePath() => _host.TestAsync(_expression, _data, 1).GetAwaiter().GetResult();

    /// <summary>The engine's path before the inline budget: every script hopped to a script thread and back.</summary>
    [Benchmark]
    public JsonObject CodeNodeOnScriptThread() => _host.Slots.Run(() => _host.Run(_script, _data, 1)).GetAwaiter().GetResult();

    /// <summary>A script that requires moment-timezone (pooled engine with the library already in it) and converts a time.</summary>
    [Benchmark]
    public JsonObject MomentTimezone() => _host.Run(_moment, _data, 1);
}
