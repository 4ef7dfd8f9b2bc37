using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jint;
using JsEngine = Jint.Engine;
using Jint.Native;
using Jint.Parser;
using Jint.Runtime;
using Jint.Runtime.Debugger;
using JintProgram = Jint.Parser.Ast.Program;

namespace Workflows.Engine.Scripting;

/// <summary>A script parsed once and run many times.</summary>
public sealed class CompiledScript(JintProgram program, bool isExpression, BreakPoint[] guardPoints)
{
    internal JintProgram Program => program;
    internal bool IsExpression => isExpression;
    /// <summary>Where the memory guard looks: the start of every loop body and function body.</summary>
    internal BreakPoint[] GuardPoints => guardPoints;
}

/// <summary>A script that does not parse: where and why.</summary>
public sealed class ScriptSyntaxException(int line, int column, string message)
    : Exception($"line {line}, column {column}: {message}")
{
    public int Line => line;
    public int Column => column;
}

/// <summary>A script that failed while running: thrown error, or a limit reached.</summary>
public sealed class ScriptFailureException(string tag, string message) : Exception(message)
{
    /// <summary>script_error, timeout, statement_limit, recursion_limit, memory_limit, bad_data.</summary>
    public string Tag => tag;
}

/// <summary>
/// Runs the code node's JavaScript (ES5.1, Jint 2.10) in a sandbox: no .NET access, limits on
/// statements, recursion, time and memory. Parsed programs are cached by source; engines are pooled
/// per process so one process's scripts cannot tamper with another's globals.
/// </summary>
public sealed class ScriptHost(EngineOptions options)
{
    readonly ConcurrentDictionary<(string, bool), CompiledScript> _compiled = new();
    readonly ConcurrentDictionary<long, ConcurrentBag<PooledEngine>> _pools = new();

    /// <summary>An engine with its memory guard: allocations are counted from the start of each run.</summary>
    sealed class PooledEngine
    {
        public required JsEngine Engine { get; init; }
        public long RunStartBytes;
    }

    // Wrapping the body in a function keeps `var` declarations local to one run of a pooled engine.
    const string Prefix = "(function(){";
    const string Suffix = "\n})();";

    public CompiledScript Compile(string source) => Compile(source, expression: false);

    public CompiledScript CompileExpression(string expression) => Compile(expression, expression: true);

    CompiledScript Compile(string source, bool expression)
    {
        if (_compiled.TryGetValue((source, expression), out var hit)) return hit;
        var text = expression ? "(" + source + "\n)" : Prefix + source + Suffix;
        JintProgram program;
        try
        {
            program = new JavaScriptParser().Parse(text);
        }
        catch (ParserException e)
        {
            throw new ScriptSyntaxException(e.LineNumber, Math.Max(1, e.Column - (e.LineNumber == 1 && !expression ? Prefix.Length : 0)), e.Description ?? e.Message);
        }
        if (expression && (program.Body.Count != 1 || program.Body.First() is not Jint.Parser.Ast.ExpressionStatement))
            throw new ScriptSyntaxException(1, 1, "expected one expression");
        var compiled = new CompiledScript(program, expression, GuardPoints.Of(program, skipWrapper: !expression));
        if (_compiled.Count > 10_000) _compiled.Clear();
        _compiled[(source, expression)] = compiled;
        return compiled;
    }

    /// <summary>Runs a code script against a copy of the data and returns the data as the script left it.</summary>
    public JsonObject Run(CompiledScript script, JsonObject data, long poolKey)
    {
        var pooled = Rent(poolKey);
        var engine = pooled.Engine;
        var succeeded = false;
        try
        {
            engine.SetValue("data", new Jint.Native.Json.JsonParser(engine).Parse(data.ToJsonString()));
            Execute(pooled, script);
            var result = engine.GetValue("data");
            if (!result.IsObject() || result.IsArray())
                throw new ScriptFailureException("bad_data", "the script must leave `data` an object");
            var json = new Jint.Native.Json.JsonSerializer(engine).Serialize(result, JsValue.Undefined, JsValue.Undefined);
            var left = JsonNode.Parse(json.AsString()) as JsonObject ?? throw new ScriptFailureException("bad_data", "the script must leave `data` an object");
            succeeded = true;
            return left;
        }
        finally
        {
            // A failed engine is not pooled again: Jint 2 leaves its debug call stack (and whatever
            // else the failure interrupted) as it was, so an engine failing over and over would grow.
            if (succeeded) Return(poolKey, pooled);
        }
    }

    /// <summary>Evaluates a condition expression with `data` in scope; true when the result is truthy.</summary>
    public bool Test(CompiledScript expression, JsonObject data, long poolKey)
    {
        var pooled = Rent(poolKey);
        var engine = pooled.Engine;
        var succeeded = false;
        try
        {
            engine.SetValue("data", new Jint.Native.Json.JsonParser(engine).Parse(data.ToJsonString()));
            Execute(pooled, expression);
            var truthy = TypeConverter.ToBoolean(engine.GetCompletionValue());
            succeeded = true;
            return truthy;
        }
        finally
        {
            if (succeeded) Return(poolKey, pooled);
        }
    }

    void Execute(PooledEngine pooled, CompiledScript script)
    {
        var allocatedBefore = pooled.RunStartBytes = GC.GetAllocatedBytesForCurrentThread();
        var breakPoints = pooled.Engine.BreakPoints;
        breakPoints.Clear();
        breakPoints.AddRange(script.GuardPoints);
        try
        {
            pooled.Engine.Execute(script.Program);
        }
        catch (JavaScriptException e) when (e.Message.StartsWith("arrays longer than", StringComparison.Ordinal))
        {
            throw new ScriptFailureException("memory_limit", e.Message);
        }
        catch (JavaScriptException e)
        {
            throw new ScriptFailureException("script_error", $"line {Math.Max(1, e.LineNumber)}: {e.Message}");
        }
        catch (TimeoutException)
        {
            throw new ScriptFailureException("timeout", $"the script ran longer than {options.ScriptTimeoutMs} ms");
        }
        catch (StatementsCountOverflowException)
        {
            throw new ScriptFailureException("statement_limit", $"the script ran more than {options.ScriptMaxStatements} statements");
        }
        catch (RecursionDepthOverflowException)
        {
            throw new ScriptFailureException("recursion_limit", $"the script recursed deeper than {options.ScriptMaxRecursion} calls");
        }
        catch (MemoryGuardException)
        {
            throw new ScriptFailureException("memory_limit", $"the script allocated more than {options.ScriptMemoryLimitBytes / (1024 * 1024)} MB");
        }
        catch (OutOfMemoryException)
        {
            throw new ScriptFailureException("memory_limit", "the script ran out of memory");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or InvalidCastException or NullReferenceException or OverflowException or FormatException)
        {
            throw new ScriptFailureException("script_error", e.Message);
        }
        finally
        {
            if (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore > options.ScriptMemoryLimitBytes * 4)
                GC.Collect(1, GCCollectionMode.Optimized, blocking: false);
        }
    }

    PooledEngine Rent(long poolKey)
    {
        var pool = _pools.GetOrAdd(poolKey, _ => []);
        return pool.TryTake(out var engine) ? engine : Create();
    }

    void Return(long poolKey, PooledEngine pooled)
    {
        pooled.Engine.SetValue("data", JsValue.Undefined);
        var pool = _pools.GetOrAdd(poolKey, _ => []);
        if (pool.Count < 64) pool.Add(pooled);
    }

    PooledEngine Create()
    {
        var engine = new JsEngine(o => o
            .LimitRecursion(options.ScriptMaxRecursion)
            .MaxStatements(options.ScriptMaxStatements)
            .TimeoutInterval(TimeSpan.FromMilliseconds(options.ScriptTimeoutMs))
            .DebugMode());
        // Native array methods loop in C# where neither the statement count nor the time limit is
        // checked, so `new Array(1e9).join('x')` would run unchecked: refuse arrays that long.
        // eval and the Function constructor are refused too: code they would build has no guard points.
        engine.Execute(Sandbox);
        var pooled = new PooledEngine { Engine = engine };
        var limit = options.ScriptMemoryLimitBytes;
        // Bytes allocated by this thread since the run began: the only memory limit Jint 2.10 allows.
        // Checked where a script can repeat itself (each loop iteration and function call, see
        // GuardPoints), not at every statement: Jint builds a costly snapshot of all variables for
        // each stepped statement, which made short scripts several times slower. Straight-line code
        // runs a bounded number of statements and is measured once it returns.
        StepMode Check()
        {
            if (GC.GetAllocatedBytesForCurrentThread() - pooled.RunStartBytes > limit) throw new MemoryGuardException();
            return StepMode.None;
        }
        engine.Step += (_, _) => Check();
        engine.Break += (_, _) => Check();
        return pooled;
    }

    sealed class MemoryGuardException : Exception;

    static readonly JintProgram Sandbox = new JavaScriptParser().Parse("""
        (function () {
          function refused(what) {
            return function () { throw new EvalError(what + ' is not available in code nodes'); };
          }
          var global = (function () { return this; })();
          global.eval = refused('eval');
          Function.prototype.constructor = refused('the Function constructor');
          global.Function = Function.prototype.constructor;
          var limit = 1000000;
          var names = ['join', 'toString', 'toLocaleString', 'indexOf', 'lastIndexOf', 'reverse', 'slice', 'splice', 'concat', 'sort', 'shift', 'unshift'];
          for (var i = 0; i < names.length; i++) (function (name) {
            var original = Array.prototype[name];
            Object.defineProperty(Array.prototype, name, { enumerable: false, configurable: true, writable: true, value: function () {
              if (this.length > limit) { throw new RangeError('arrays longer than ' + limit + ' items are not allowed'); }
              return original.apply(this, arguments);
            } });
          })(names[i]);
        })();
        """);

}
