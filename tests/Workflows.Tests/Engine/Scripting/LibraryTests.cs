using System.Diagnostics;
using System.Text.Json.Nodes;
using Workflows.Engine;
using Workflows.Engine.Scripting;

namespace Workflows.Tests.Engine.Scripting;

/// <summary>
/// Corezoid's code libraries, used as Corezoid's documentation shows them: <c>require</c> sets the
/// library's global (<c>moment</c>, <c>CryptoJS</c>, Date's added methods) and the script calls it.
/// Expected values are the algorithms' published test vectors.
/// </summary>
public class LibraryTests
{
    // What these check is the libraries' results, not their speed: a loaded machine must not fail them on time.
    static readonly ScriptHost Host = new(new EngineOptions { ScriptTimeoutMs = 10_000 });

    static JsonObject Run(string src, long process = 1) => Host.Run(Host.Compile(src), new JsonObject(), process);

    static string? Out(string src) => (string?)Run(src)["out"];

    [TestCase("libs/sha1.js", "data.out = CryptoJS.SHA1('abc').toString();", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [TestCase("libs/md5.js", "data.out = CryptoJS.MD5('abc').toString();", "900150983cd24fb0d6963f7d28e17f72")]
    [TestCase("libs/sha512.js", "data.out = CryptoJS.SHA512('abc').toString();",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")]
    [TestCase("libs/hmac-sha1.js", "data.out = CryptoJS.HmacSHA1('The quick brown fox jumps over the lazy dog', 'key').toString();", "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")]
    [TestCase("libs/hmac-md5.js", "data.out = CryptoJS.HmacMD5('The quick brown fox jumps over the lazy dog', 'key').toString();", "80070713463e7749b90c2dc24911e275")]
    [TestCase("libs/hmac-sha256.js", "data.out = CryptoJS.HmacSHA256('The quick brown fox jumps over the lazy dog', 'key').toString(CryptoJS.enc.Hex);",
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")]
    [TestCase("libs/base64.js", "data.out = CryptoJS.enc.Base64.stringify(CryptoJS.enc.Utf8.parse('Привет, Corezoid'));", "0J/RgNC40LLQtdGCLCBDb3Jlem9pZA==")]
    public void CryptoJS_libraries_compute_the_published_values(string library, string use, string expected) =>
        Assert.That(Out($"require(\"{library}\");\n{use}"), Is.EqualTo(expected));

    [TestCase("libs/aes.js", "AES")]
    [TestCase("libs/tripledes.js", "TripleDES")]
    [TestCase("libs/rc4.js", "RC4")]
    public void CryptoJS_ciphers_encrypt_with_a_passphrase_and_decrypt_back(string library, string cipher)
    {
        var result = Run($$"""
            require("{{library}}");
            const secret = CryptoJS.{{cipher}}.encrypt('card 4111 1111 1111 1111', 'passphrase').toString();
            data.secret = secret;
            data.back = CryptoJS.{{cipher}}.decrypt(secret, 'passphrase').toString(CryptoJS.enc.Utf8);
            """);
        Assert.That((string?)result["back"], Is.EqualTo("card 4111 1111 1111 1111"));
        Assert.That((string?)result["secret"], Does.StartWith("U2FsdGVkX1"), "OpenSSL format: 'Salted__' and a random salt, in Base64");
    }

    [Test]
    public void Moment_timezone_converts_to_Moscow_time()
    {
        var result = Run("""
            require("libs/moment-timezone.js");
            const at = moment.tz('2026-12-03 10:00', 'UTC');
            data.moscow = at.clone().tz('Europe/Moscow').format('YYYY-MM-DD HH:mm Z');
            data.summer = moment.tz('2026-07-01 12:00', 'Europe/Berlin').utc().format();
            """);
        Assert.That((string?)result["moscow"], Is.EqualTo("2026-12-03 13:00 +03:00"));
        Assert.That((string?)result["summer"], Is.EqualTo("2026-07-01T10:00:00Z"));
    }

    [Test]
    public void Moment_formats_and_adds_and_returns_itself_from_require()
    {
        var result = Run("""
            const m = require("libs/moment.js");
            data.same = m === moment;
            data.next = moment.utc('2026-12-31T23:30:00Z').add(1, 'hour').format('YYYY-MM-DD HH:mm');
            data.unix = moment.utc('2026-12-03', 'YYYY-MM-DD').unix();
            """);
        Assert.That((bool?)result["same"], Is.True);
        Assert.That((string?)result["next"], Is.EqualTo("2027-01-01 00:30"));
        Assert.That((long?)result["unix"], Is.EqualTo(1796256000));
    }

    [Test]
    public void Moment_with_locales_speaks_Russian() =>
        Assert.That(Out("require(\"libs/moment-with-locales.js\");\ndata.out = moment.utc('2026-12-03').locale('ru').format('D MMMM YYYY, dddd');"),
            Is.EqualTo("3 декабря 2026, четверг"));

    [Test]
    public void Dateutils_adds_its_methods_to_Date()
    {
        var result = Run("""
            require("libs/dateutils.js");
            const d = new Date(Date.UTC(2026, 11, 3, 9, 5, 0));
            data.formatted = d.toFormat('YYYY-MM-DD HH24:MI');
            data.later = d.clone().addDays(30).toYMD();
            data.between = Date.daysBetween ? 'static' : typeof d.getDaysBetween;
            """);
        Assert.That((string?)result["formatted"], Is.EqualTo("2026-12-03 09:05"));
        Assert.That((string?)result["later"], Is.EqualTo("2027-01-02"));
    }

    [Test]
    public void A_library_is_loaded_only_into_scripts_that_require_it()
    {
        Run("require(\"libs/moment.js\"); data.x = moment.utc(0).year();", process: 77);
        var plain = Run("data.moment = typeof moment; data.crypto = typeof CryptoJS; data.require = typeof require;", process: 77);
        Assert.That((string?)plain["moment"], Is.EqualTo("undefined"));
        Assert.That((string?)plain["crypto"], Is.EqualTo("undefined"));
        Assert.That((string?)plain["require"], Is.EqualTo("undefined"));
    }

    [TestCase("const x = 1;\nrequire(\"libs/lodash.js\");", 2, 1, "unknown library 'libs/lodash.js'; the libraries are libs/moment.js, ")]
    [TestCase("var name = 'libs/moment.js';\nvar m = require(name);", 2, 9, "require takes a library name in quotes")]
    public void Unknown_or_computed_libraries_are_refused_when_the_script_is_compiled(string src, int line, int column, string message)
    {
        var error = Assert.Throws<ScriptSyntaxException>(() => Host.Compile(src))!;
        Assert.That((error.Line, error.Column), Is.EqualTo((line, column)));
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public void Every_library_in_the_catalogue_loads()
    {
        foreach (var library in ScriptLibraries.All)
        {
            var result = Run($"const lib = require(\"{library.Name}\");\ndata.type = typeof lib;", process: 1000 + library.Name.Length);
            Assert.That((string?)result["type"], Is.EqualTo("function").Or.EqualTo("object"), library.Name);
        }
    }

    [Test]
    public void A_moment_timezone_engine_is_made_once_and_reused()
    {
        // A generous limit: this measures reuse, and a busy machine can make a first run slow.
        var host = new ScriptHost(new EngineOptions { ScriptTimeoutMs = 30_000 });
        var script = host.Compile("require(\"libs/moment-timezone.js\");\ndata.t = moment.tz(data.at, 'Europe/Moscow').format('HH:mm');");
        var data = new JsonObject { ["at"] = "2026-12-03T10:00:00Z" };
        var first = Stopwatch.StartNew();
        Assert.That((string?)host.Run(script, data, 5)["t"], Is.EqualTo("13:00"));
        first.Stop();
        var again = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++) host.Run(script, data, 5);
        again.Stop();
        TestContext.Out.WriteLine($"first run (engine made, library loaded): {first.ElapsedMilliseconds} ms; then {again.Elapsed.TotalMilliseconds / 20:F2} ms a run");
        Assert.That(again.Elapsed.TotalMilliseconds / 20, Is.LessThan(first.Elapsed.TotalMilliseconds), "later runs reuse the pooled engine with the library in it");
    }
}
