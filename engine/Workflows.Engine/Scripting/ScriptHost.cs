using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Acornima;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Runtime;
using JsEngine = Jint.Engine;

namespace Workflows.Engine.Scripting;

/// <summary>A script parsed once and run many times, by any engine.</summary>
public sealed class CompiledScript
{
    internal CompiledScript(Prepared<Script> program, bool isExpression, IReadOnlyList<string> libraryFiles)
    {
        Program = program;
        IsExpression = isExpression;
        LibraryFiles = libraryFiles;
        LibraryKey = string.Join("|", libraryFiles);
    }

    internal Prepared<Script> Program { get; }
    internal bool IsExpression { get; }
    /// <summary>The library files its engines run first (see <see cref="ScriptLibraries"/>); usually none.</summary>
    internal IReadOnlyList<string> LibraryFiles { get; }
    /// <summary>Engines are pooled per process and per set of libraries.</summary>
    internal string LibraryKey { get; }
    /// <summary>
    /// Ran past the inline budget, and again on a script thread: runs on script threads for a while, then
    /// is tried inline again (see <see cref="ScriptHost.InlineBudget"/>). The while doubles each time the
    /// script is still slow, from a second up to a minute; a run that fits inline starts it over.
    /// </summary>
    internal bool Slow => Stopwatch.GetTimestamp() < Volatile.Read(ref _inlineAgainAt);
    long _inlineAgainAt;
    long _slowForTicks;

    /// <summary>A run inline past the budget took more than the budget on a script thread too: the script is slow, not the machine busy.</summary>
    internal void RanSlow()
    {
        var wait = Math.Min(Math.Max(Volatile.Read(ref _slowForTicks) * 2, Stopwatch.Frequency), 60 * Stopwatch.Frequency);
        Volatile.Write(ref _slowForTicks, wait);
        Volatile.Write(ref _inlineAgainAt, Stopwatch.GetTimestamp() + wait);
    }

    /// <summary>A run fitted inline: a later slow spell starts from a second again.</summary>
    internal void RanInline()
    {
        if (Volatile.Read(ref _slowForTicks) != 0) Volatile.Write(ref _slowForTicks, 0);
    }
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
/// Runs code nodes and JavaScript condition rules (modern JavaScript, sloppy mode, Jint 4) in a
/// sandbox: no .NET access, no eval or Function constructor, and Jint's own limits on time,
/// statements, recursion, memory, array length and regular-expression time. Scripts are prepared
/// once and shared by every engine; engines are pooled per process so that one process's scripts
/// cannot see another's globals.
/// </summary>
public sealed class ScriptHost
{
    readonly EngineOptions options;

    public ScriptHost(EngineOptions options) : this(options, warmUp: true) { }

    ScriptHost(EngineOptions options, bool warmUp)
    {
        this.options = options;
        Slots = new ScriptSlots(TimeSpan.FromMilliseconds(options.ScriptTimeoutMs));
        if (warmUp) _ = WarmedUp.Value;
    }

    /// <summary>
    /// Jint's first script in a process pays for compiling the interpreter itself (seconds on a busy
    /// machine), which would count against that script's time limit: run one script of the kinds
    /// analysts write, off to the side, as soon as a host exists.
    /// </summary>
    static readonly Lazy<Task> WarmedUp = new(() => Task.Run(() =>
    {
        var host = new ScriptHost(new EngineOptions { ScriptTimeoutMs = 60_000 }, warmUp: false);
        var data = new JsonObject { ["phone"] = "8 (916) 123-45-67", ["items"] = new JsonArray(1, 2, 3), ["xml"] = "<a><b>1</b></a>" };
        host.Run(host.Compile("""
            const digits = String(data.phone).replace(/\D/g, '').replace(/^8/, '7');
            const m = new RegExp('<b>([\\s\\S]*?)</b>', 'i').exec(data.xml);
            let total = 0; for (const x of data.items.map(x => x * 2).filter(Boolean)) total += x;
            data.out = { digits, b: m && m[1].trim(), total, s: `${total}`.padStart(3, '0'), j: JSON.parse(JSON.stringify(data.items)), d: new Date(0).toISOString() };
            """), data, 0);
        host.Test(host.CompileExpression("data.out?.total > 1 && data.phone.length > 3"), data, 0);
        // The heaviest library, so that the first task that requires it is not the one paying for it.
        host.Run(host.Compile("require(\"libs/moment-timezone.js\");\ndata.t = moment.tz('2026-12-03 10:00', 'UTC').tz('Europe/Moscow').format();"), data, 0);
    }));

    readonly ConcurrentDictionary<(string, bool), CompiledScript> _compiled = new();
    // Per process, set of libraries, and inline or not (an inline engine's regular expressions have the budget's limit).
    // Queues, not bags: a bag's Count locks every thread's share of it, and Return asks it every run.
    readonly ConcurrentDictionary<(long, string, bool), ConcurrentQueue<JsEngine>> _pools = new();
    readonly ConcurrentDictionary<(long, string, bool), byte> _warming = new();

    // The body runs inside a function so that `var`, `let`, `const` and function declarations stay
    // local to one run of a pooled engine. The prefix has its own line: only line numbers shift.
    const string Prefix = "(function(){\n";
    const string Suffix = "\n})();";

    /// <summary>Longest array a script may build (Jint refuses longer ones before allocating them).</summary>
    public const uint MaxArrayLength = 1_000_000;

    public CompiledScript Compile(string source) => Compile(source, expression: false);

    public CompiledScript CompileExpression(string expression) => Compile(expression, expression: true);

    CompiledScript Compile(string source, bool expression)
    {
        if (_compiled.TryGetValue((source, expression), out var hit)) return hit;
        var text = expression ? "(" + source + "\n)" : Prefix + source + Suffix;
        Prepared<Script> program;
        try
        {
            program = JsEngine.PrepareScript(text, strict: false, options: Preparation);
        }
        catch (ScriptPreparationException e) when (e.InnerException is ParseErrorException parse)
        {
            // Acornima counts columns from 0; the code's first line is the wrapper's second.
            var line = expression ? parse.LineNumber : Math.Max(1, parse.LineNumber - 1);
            throw new ScriptSyntaxException(line, parse.Column + 1 - (expression && parse.LineNumber == 1 ? 1 : 0), parse.Description);
        }
        if (expression && program.Program is { } parsed && (parsed.Body.Count != 1 || parsed.Body[0] is not NonSpecialExpressionStatement))
            throw new ScriptSyntaxException(1, 1, "expected one expression");
        var compiled = new CompiledScript(program, expression, ScriptLibraries.FilesOf(Required(program.Program!, expression)));
        if (_compiled.Count > 10_000) _compiled.Clear();
        _compiled[(source, expression)] = compiled;
        return compiled;
    }

    /// <summary>
    /// Regular expressions are interpreted: a compiled one costs its first match a JIT compilation
    /// (hundreds of milliseconds on a busy machine), counted against the script's limits.
    /// </summary>
    internal static readonly ScriptPreparationOptions Preparation = new() { ParsingOptions = ScriptParsingOptions.Default with { CompileRegex = false } };

    /// <summary>
    /// The libraries a script requires: every <c>require(...)</c> call must name a known library
    /// in quotes, so that the engine can load it before the script runs.
    /// </summary>
    static List<ScriptLibraries.Library> Required(Script program, bool expression)
    {
        var libraries = new List<ScriptLibraries.Library>();
        foreach (var call in program.DescendantNodes().OfType<CallExpression>())
        {
            if (call.Callee is not Identifier { Name: "require" }) continue;
            var at = call.Location.Start;
            var line = expression ? at.Line : Math.Max(1, at.Line - 1);
            if (call.Arguments.Count != 1 || call.Arguments[0] is not StringLiteral { Value: var name })
                throw new ScriptSyntaxException(line, at.Column + 1, "require takes a library name in quotes, e.g. require(\"libs/moment.js\")");
            var library = ScriptLibraries.Find(name)
                ?? throw new ScriptSyntaxException(line, at.Column + 1, $"unknown library '{name}'; the libraries are {ScriptLibraries.Names}");
            if (!libraries.Contains(library)) libraries.Add(library);
        }
        return libraries;
    }

    /// <summary>The threads scripts run on when they run past the inline budget (see <see cref="RunAsync"/>).</summary>
    public ScriptSlots Slots { get; }

    /// <summary>
    /// How long a script may run on the caller's own thread. Most code nodes take microseconds, and
    /// a hop to a script thread costs about as much again: a script runs inline with this budget
    /// first (its time and its regular expressions limited to it). One that passes it is given up
    /// there (nothing it did is kept: it worked on a copy of the data), run again on a script thread
    /// under the full limit and the watchdog, and runs there from then on. A runner is held at most
    /// this budget plus one built-in call, once per script.
    /// </summary>
    public static readonly TimeSpan InlineBudget = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// <see cref="Run"/> for a node: inline within <see cref="InlineBudget"/>, else on a script thread,
    /// where a script that outlives its limit inside one built-in call is failed on time (see <see cref="ScriptSlots"/>).
    /// </summary>
    public Task<JsonObject> RunAsync(CompiledScript script, JsonObject data, long poolKey, CancellationToken stopping = default) =>
        Dispatch(script, poolKey, engine => RunIn(engine, script, data), stopping);

    /// <summary><see cref="Test"/> for a node, as <see cref="RunAsync"/>.</summary>
    public Task<bool> TestAsync(CompiledScript expression, JsonObject data, long poolKey, CancellationToken stopping = default) =>
        Dispatch(expression, poolKey, engine => TestIn(engine, expression, data), stopping);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "Use pools the engine or disposes it.")]
    Task<T> Dispatch<T>(CompiledScript script, long poolKey, Func<JsEngine, T> body, CancellationToken stopping)
    {
        var inline = (poolKey, script.LibraryKey, true);
        var overran = false;
        if (!script.Slow && Rent(inline, script, stopping) is { } engine)
        {
            try
            {
                var result = Use(engine, inline, body);
                script.RanInline();
                return Task.FromResult(result);
            }
            catch (ScriptFailureException e) when (e.Tag == "timeout")
            {
                overran = true;
            }
            catch (Exception e)
            {
                return Task.FromException<T>(e);
            }
        }
        var ran = !overran ? Slots.Run(() => UseFull(script, poolKey, body, stopping)) : Slots.Run(() =>
        {
            // The budget is wall time: on a busy machine a quick script can pass it inline because its
            // thread was not running. Its run on the script thread tells: only a slow one stays there.
            var started = Stopwatch.GetTimestamp();
            try { return UseFull(script, poolKey, body, stopping); }
            finally { if (Stopwatch.GetElapsedTime(started) > InlineBudget) script.RanSlow(); }
        });
        if (!script.Slow && script.LibraryFiles.Count > 0) WarmInline(inline, script.LibraryFiles);
        return ran;
    }

    /// <summary>
    /// A library engine is built off the runner (loading moment-timezone takes far longer than the
    /// budget): one is built for the inline pool on the side, and the next runs are inline.
    /// </summary>
    void WarmInline((long, string, bool) key, IReadOnlyList<string> libraryFiles)
    {
        if (!_warming.TryAdd(key, 0)) return;
        _ = Task.Run(() =>
        {
            try { Return(key, Create(libraryFiles, inline: true)); }
            catch (ScriptFailureException) { /* the script's own run reports the failure */ }
            finally { _warming.TryRemove(key, out _); }
        });
    }

    /// <summary>Runs a code script against a copy of the data and returns the data as the script left it.</summary>
    /// <remarks>
    /// <paramref name="stopping"/> is the server's stop: once it fires the script ends with an
    /// <see cref="OperationCanceledException"/>, so that the task keeps its place instead of failing.
    /// </remarks>
    public JsonObject Run(CompiledScript script, JsonObject data, long poolKey, CancellationToken stopping = default) =>
        UseFull(script, poolKey, engine => RunIn(engine, script, data), stopping);

    /// <summary>Evaluates a condition expression with `data` in scope; true when the result is truthy.</summary>
    public bool Test(CompiledScript expression, JsonObject data, long poolKey, CancellationToken stopping = default) =>
        UseFull(expression, poolKey, engine => TestIn(engine, expression, data), stopping);

    /// <summary>Runs the body on an engine of the pool armed with the full limit (not the inline budget).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "Use pools the engine or disposes it.")]
    T UseFull<T>(CompiledScript script, long poolKey, Func<JsEngine, T> body, CancellationToken stopping)
    {
        var key = (poolKey, script.LibraryKey, false);
        return Use(Rent(key, script, stopping)!, key, body);
    }

    T Use<T>(JsEngine engine, (long, string, bool) poolKey, Func<JsEngine, T> body)
    {
        var succeeded = false;
        try
        {
            var result = body(engine);
            succeeded = true;
            return result;
        }
        finally
        {
            // A failed engine is not pooled again: whatever the failure interrupted stays as it was.
            if (succeeded) Return(poolKey, engine);
            else engine.Dispose();
        }
    }

    JsonObject RunIn(JsEngine engine, CompiledScript script, JsonObject data)
    {
        engine.SetValue("data", new Jint.Native.Json.JsonParser(engine).Parse(data.ToJsonString()));
        Execute(engine, script, line => line - 1);
        var result = engine.GetValue("data");
        if (!result.IsObject() || result.IsArray())
            throw new ScriptFailureException("bad_data", "the script must leave `data` an object");
        var json = Guard(() => new Jint.Native.Json.JsonSerializer(engine).Serialize(result, JsValue.Undefined, JsValue.Undefined), line => line - 1);
        return JsonNode.Parse(json.AsString()) as JsonObject ?? throw new ScriptFailureException("bad_data", "the script must leave `data` an object");
    }

    bool TestIn(JsEngine engine, CompiledScript expression, JsonObject data)
    {
        engine.SetValue("data", new Jint.Native.Json.JsonParser(engine).Parse(data.ToJsonString()));
        return TypeConverter.ToBoolean(Guard(() => engine.Evaluate(expression.Program), line => line));
    }

    void Execute(JsEngine engine, CompiledScript script, Func<int, int> userLine) =>
        Guard(() => { engine.Execute(script.Program); return JsValue.Undefined; }, userLine);

    /// <summary>Runs part of a script, turning every way it can fail into a <see cref="ScriptFailureException"/>.</summary>
    JsValue Guard(Func<JsValue> run, Func<int, int> userLine)
    {
        try
        {
            return run();
        }
        catch (JavaScriptException e)
        {
            var line = e.Location.Start.Line;
            // Jint's words for eval and new Function, said in the analyst's terms.
            var message = e.Message.StartsWith("String compilation has been disabled", StringComparison.Ordinal)
                ? "eval and the Function constructor are not available in code nodes" : e.Message;
            throw new ScriptFailureException("script_error", line > 0 ? $"line {Math.Max(1, userLine(line))}: {message}" : message);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new ScriptFailureException("timeout", $"a regular expression ran longer than {RegexTimeoutMs} ms");
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
        catch (MemoryLimitExceededException e) when (e.Message.Contains("array size", StringComparison.Ordinal))
        {
            throw new ScriptFailureException("memory_limit", $"arrays longer than {MaxArrayLength} items are not allowed");
        }
        catch (MemoryLimitExceededException)
        {
            throw new ScriptFailureException("memory_limit", $"the script allocated more than {options.ScriptMemoryLimitBytes / (1024 * 1024)} MB");
        }
        catch (OutOfMemoryException)
        {
            throw new ScriptFailureException("memory_limit", "the script ran out of memory");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or InvalidCastException or NullReferenceException or OverflowException or FormatException or JintException)
        {
            throw new ScriptFailureException("script_error", e.Message);
        }
    }

    /// <summary>
    /// One regular-expression match may take the script's whole time limit: a catastrophic pattern
    /// ends in the error exit about when the script's time is up, not minutes later.
    /// </summary>
    int RegexTimeoutMs => options.ScriptTimeoutMs;

    /// <summary>
    /// A pooled engine or a new one, armed with the time limit (the inline budget for an inline one);
    /// null for an inline library engine not built yet.
    /// </summary>
    JsEngine? Rent((long, string, bool Inline) poolKey, CompiledScript script, CancellationToken stopping)
    {
        var pool = _pools.GetOrAdd(poolKey, _ => []);
        var engine = pool.TryDequeue(out var pooled) ? pooled
            : poolKey.Inline && script.LibraryFiles.Count > 0 ? null
            : Create(script.LibraryFiles, poolKey.Inline);
        engine?.Constraints.Find<RunLimit>()!.Arm(poolKey.Inline ? InlineBudget : TimeSpan.FromMilliseconds(options.ScriptTimeoutMs), stopping);
        return engine;
    }

    void Return((long, string, bool) poolKey, JsEngine engine)
    {
        engine.SetValue("data", JsValue.Undefined);
        var pool = _pools.GetOrAdd(poolKey, _ => []);
        if (pool.Count < 64) pool.Enqueue(engine);
        else engine.Dispose();
    }

    JsEngine Create(IReadOnlyList<string> libraryFiles, bool inline)
    {
        var engine = NewEngine(inline ? InlineBudget : TimeSpan.FromMilliseconds(RegexTimeoutMs));
        if (libraryFiles.Count == 0) return engine;
        // Library code is ours, not the analyst's: it gets its own budget, not the script's second.
        engine.Constraints.Find<RunLimit>()!.Arm(TimeSpan.FromSeconds(30), CancellationToken.None);
        try
        {
            ScriptLibraries.LoadInto(engine, libraryFiles);
        }
        catch (Exception e) when (e is JavaScriptException or JintException or TimeoutException or MemoryLimitExceededException)
        {
            throw new ScriptFailureException("script_error", $"the code libraries could not be loaded: {e.Message}");
        }
        return engine;
    }

    JsEngine NewEngine(TimeSpan regexTimeout) => new(o =>
    {
        o.Strict(false)
            .LimitRecursion(options.ScriptMaxRecursion)
            .MaxStatements(options.ScriptMaxStatements)
            .LimitMemory(options.ScriptMemoryLimitBytes)
            .Constraint(new RunLimit())
            // eval, new Function and Function.prototype.constructor: code built at run time is refused.
            .DisableStringCompilation();
        o.Constraints.RegexTimeout = regexTimeout;
        o.Constraints.MaxArraySize = MaxArrayLength;
        // Corezoid's servers run in UTC: `new Date().getHours()` and moment() agree with them.
        o.TimeZone = TimeZoneInfo.Utc;
    });

    /// <summary>
    /// The time limit of one run, and the server's stop. Jint's own TimeoutInterval starts afresh at
    /// every entry into the engine and its cancellation token is fixed when the engine is built; a
    /// pooled engine serves many runs, each armed here with its limit and the runner's token, and
    /// loading a library gets a budget of its own. Checked every few statements (amortized), which
    /// keeps Jint's fast loop paths on.
    /// </summary>
    sealed class RunLimit : Constraint
    {
        long _deadline = long.MaxValue;
        CancellationToken _stopping;

        public void Arm(TimeSpan limit, CancellationToken stopping)
        {
            _deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
            _stopping = stopping;
        }

        public override bool IsAmortizable => true;

        public override void Check()
        {
            _stopping.ThrowIfCancellationRequested();
            if (Stopwatch.GetTimestamp() > _deadline) throw new TimeoutException();
        }

        public override void Reset() { }
    }
}
