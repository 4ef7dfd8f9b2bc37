using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Acornima.Ast;
using Jint;

namespace Workflows.Engine.Scripting;

/// <summary>
/// Corezoid's code libraries: <c>require("libs/moment.js")</c> and the rest run the library's
/// published file (npm packages pinned in Libraries/package.json, embedded at build time), which
/// sets its global as a side effect, as in Corezoid: <c>require("libs/sha1.js"); CryptoJS.SHA1(s)</c>.
/// A library is loaded only into the engines of scripts that require it; each file is prepared once.
/// </summary>
public static partial class ScriptLibraries
{
    /// <param name="Name">What the script passes to <c>require</c>.</param>
    /// <param name="Global">The global the library sets, which <c>require</c> also returns.</param>
    /// <param name="Files">Package files run in order; a CryptoJS file brings the files it requires first.</param>
    public sealed record Library(string Name, string Global, string[] Files);

    /// <summary>Every library a script may require, in the order the documentation lists them.</summary>
    public static IReadOnlyList<Library> All { get; } =
    [
        new("libs/moment.js", "moment", ["moment/moment.js"]),
        new("libs/moment-timezone.js", "moment", ["moment/moment.js", "moment-timezone/builds/moment-timezone-with-data.js"]),
        new("libs/moment-with-locales.js", "moment", ["moment/min/moment-with-locales.js"]),
        new("libs/dateutils.js", "Date", ["date-utils/lib/date-utils.js"]),
        new("libs/sha1.js", "CryptoJS", ["crypto-js/sha1.js"]),
        new("libs/md5.js", "CryptoJS", ["crypto-js/md5.js"]),
        new("libs/hmac-sha1.js", "CryptoJS", ["crypto-js/hmac-sha1.js"]),
        new("libs/hmac-md5.js", "CryptoJS", ["crypto-js/hmac-md5.js"]),
        new("libs/hmac-sha256.js", "CryptoJS", ["crypto-js/hmac-sha256.js"]),
        new("libs/sha512.js", "CryptoJS", ["crypto-js/sha512.js"]),
        new("libs/aes.js", "CryptoJS", ["crypto-js/aes.js"]),
        new("libs/tripledes.js", "CryptoJS", ["crypto-js/tripledes.js"]),
        new("libs/rc4.js", "CryptoJS", ["crypto-js/rc4.js"]),
        new("libs/base64.js", "CryptoJS", ["crypto-js/enc-base64.js"]),
    ];

    static readonly Dictionary<string, Library> ByName = All.ToDictionary(l => l.Name, StringComparer.Ordinal);

    public static Library? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The names, for messages: "libs/moment.js, libs/moment-timezone.js, …".</summary>
    public static string Names => string.Join(", ", All.Select(l => l.Name));

    static readonly ConcurrentDictionary<string, Prepared<Script>> Prepared = new(StringComparer.Ordinal);
    static readonly ConcurrentDictionary<string, string[]> Required = new(StringComparer.Ordinal);

    /// <summary>
    /// The files to run, in order, for these libraries: each file once, after the files it requires.
    /// moment.js and moment-with-locales.js both set `moment`: the one required first is kept.
    /// </summary>
    public static IReadOnlyList<string> FilesOf(IEnumerable<Library> libraries)
    {
        var files = new List<string>();
        var provided = new HashSet<string>(StringComparer.Ordinal);
        void Add(string file)
        {
            if (!provided.Add(file.StartsWith("moment/", StringComparison.Ordinal) ? "moment" : file)) return;
            foreach (var dependency in RequiredBy(file)) Add(dependency);
            files.Add(file);
        }
        foreach (var library in libraries)
            foreach (var file in library.Files) Add(file);
        return files;
    }

    /// <summary>Runs the files in a new engine (as global code, so the libraries set their globals).</summary>
    internal static void LoadInto(Jint.Engine engine, IReadOnlyList<string> files)
    {
        foreach (var file in files) engine.Execute(Prepared.GetOrAdd(file, f => Jint.Engine.PrepareScript(Source(f), source: f, strict: false, options: ScriptHost.Preparation)));
        engine.Execute(DefineRequire.Value);
    }

    /// <summary><c>require(name)</c> returns the global the library set (the library itself ran when the engine was made).</summary>
    static readonly Lazy<Prepared<Script>> DefineRequire = new(() => Jint.Engine.PrepareScript($$"""
        (function (global, globals) {
          global.require = function (name) {
            if (!Object.prototype.hasOwnProperty.call(globals, name)) throw new Error("unknown library '" + name + "'");
            return global[globals[name]];
          };
        })(this, {{System.Text.Json.JsonSerializer.Serialize(All.ToDictionary(l => l.Name, l => l.Global))}});
        """, strict: false));

    /// <summary>
    /// The package files a CryptoJS file requires: its CommonJS branch names them
    /// (<c>factory(require("./core"), require("./sha256"), require("./hmac"))</c>), read from the file itself.
    /// </summary>
    static string[] RequiredBy(string file) => Required.GetOrAdd(file, f =>
    {
        if (!f.StartsWith("crypto-js/", StringComparison.Ordinal)) return [];
        var header = Source(f)[..Math.Min(600, Source(f).Length)];
        return [.. LocalRequire().Matches(header).Select(m => "crypto-js/" + m.Groups[1].Value + ".js").Where(d => d != f)];
    });

    static readonly ConcurrentDictionary<string, string> Sources = new(StringComparer.Ordinal);

    static string Source(string file) => Sources.GetOrAdd(file, f =>
    {
        using var stream = typeof(ScriptLibraries).Assembly.GetManifestResourceStream("libs/" + f)
            ?? throw new InvalidOperationException($"the code library file {f} is not embedded in the engine (see Scripting/Libraries/Libraries.targets)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    [GeneratedRegex("""require\("\./([\w-]+)"\)""")]
    private static partial Regex LocalRequire();
}
