using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Workflows.Engine.Templates;

/// <summary>
/// The <c>$.name(...)</c> functions of templates. Arguments are rendered to text first, so
/// <c>$.md5_hex({{phone}})</c> hashes the phone's text. Listed in docs/process-format.md.
/// </summary>
public static class TemplateFunctions
{
    static readonly Dictionary<string, (int Min, int Max)> Arity = new()
    {
        ["unixtime"] = (0, 1),
        ["date"] = (1, 3),
        ["math"] = (1, 1),
        ["random"] = (0, 2),
        ["md5_hex"] = (1, 1),
        ["sha1_hex"] = (1, 1),
        ["sha256_hex"] = (1, 1),
        ["base64_encode"] = (1, 1),
        ["base64_decode"] = (1, 1),
    };

    public static IEnumerable<string> Names => Arity.Keys;

    public static bool IsKnown(string name) => Arity.ContainsKey(name);

    /// <summary>How a function is written in a template: <c>$.unixtime()</c>, <c>$.md5_hex(…)</c> (outside any <c>{{ }}</c>).</summary>
    public static string Usage(string name) => Arity[name].Min == 0 ? $"$.{name}()" : $"$.{name}(…)";

    public static void CheckArity(string name, int count)
    {
        var (min, max) = Arity[name];
        if (count < min || count > max)
            throw new TemplateException(min == max
                ? $"$.{name} takes {min} argument(s), not {count}"
                : $"$.{name} takes {min} to {max} arguments, not {count}");
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "sha1_hex is a Corezoid template function: the hash a process asks for, not a security measure.")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "md5_hex is a Corezoid template function: the hash a process asks for, not a security measure.")]
    public static JsonNode? Invoke(string name, string[] args, DateTimeOffset now) => name switch
    {
        // $.unixtime() is now; $.unixtime(%y-%m-%d ...) formats now (Corezoid's form); any other argument is a date to convert.
        "unixtime" => args.Length == 0 || args[0].Length == 0 ? JsonValue.Create(now.ToUnixTimeSeconds())
            : args[0].Contains('%') ? JsonValue.Create(FormatDate(args[0], now, null))
            : JsonValue.Create(ParseTime(args[0]).ToUnixTimeSeconds()),
        "date" => JsonValue.Create(FormatDate(args[0], args.Length > 1 && args[1].Length > 0 ? ParseTime(args[1]) : now, args.Length > 2 ? args[2] : null)),
        "math" => JsonValue.Create(MathExpression.Evaluate(args[0])),
        "random" => JsonValue.Create(Random(args)),
        "md5_hex" => JsonValue.Create(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(args[0])))),
        "sha1_hex" => JsonValue.Create(Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(args[0])))),
        "sha256_hex" => JsonValue.Create(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(args[0])))),
        "base64_encode" => JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(args[0]))),
        "base64_decode" => JsonValue.Create(Base64Decode(args[0])),
        _ => throw new TemplateException($"unknown function $.{name}"),
    };

    static long Random(string[] args)
    {
        if (args.Length == 0 || (args.Length == 1 && args[0].Length == 0)) return System.Random.Shared.NextInt64(0, int.MaxValue);
        if (args.Length == 1) throw new TemplateException("$.random takes no argument or two: from and to");
        if (!long.TryParse(args[0].Trim(), out var from) || !long.TryParse(args[1].Trim(), out var to))
            throw new TemplateException($"$.random({args[0]}, {args[1]}) needs two integers");
        if (to < from) (from, to) = (to, from);
        return System.Random.Shared.NextInt64(from, to + 1);
    }

    static string Base64Decode(string s)
    {
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(s.Trim())); }
        catch (FormatException) { throw new TemplateException("$.base64_decode was given text that is not base64"); }
    }

    /// <summary>A unix time (seconds) or an ISO 8601 / "yyyy-MM-dd HH:mm:ss" text (UTC when it names no offset).</summary>
    public static DateTimeOffset ParseTime(string text)
    {
        var t = text.Trim();
        if (long.TryParse(t, out var unix)) return unix > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(unix) : DateTimeOffset.FromUnixTimeSeconds(unix);
        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto)) return dto;
        throw new TemplateException($"'{t}' is neither a unix time nor a date");
    }

    /// <summary>Corezoid-style format: %Y or %y year, %m month, %d day, %H or %h hour, %i minute, %s second, %w weekday (1 = Monday).</summary>
    public static string FormatDate(string format, DateTimeOffset time, string? zone)
    {
        if (!string.IsNullOrWhiteSpace(zone))
        {
            try { time = TimeZoneInfo.ConvertTime(time, TimeZoneInfo.FindSystemTimeZoneById(zone.Trim())); }
            catch (TimeZoneNotFoundException) { throw new TemplateException($"unknown time zone '{zone.Trim()}'"); }
        }
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length) { sb.Append(format[i]); continue; }
            var c = format[++i];
            sb.Append(c switch
            {
                'Y' or 'y' => time.Year.ToString("D4", CultureInfo.InvariantCulture),
                'm' => time.Month.ToString("D2", CultureInfo.InvariantCulture),
                'd' => time.Day.ToString("D2", CultureInfo.InvariantCulture),
                'H' or 'h' => time.Hour.ToString("D2", CultureInfo.InvariantCulture),
                'i' => time.Minute.ToString("D2", CultureInfo.InvariantCulture),
                's' => time.Second.ToString("D2", CultureInfo.InvariantCulture),
                'w' => (((int)time.DayOfWeek + 6) % 7 + 1).ToString(CultureInfo.InvariantCulture),
                '%' => "%",
                _ => "%" + c,
            });
        }
        return sb.ToString();
    }
}

/// <summary>Arithmetic for $.math: + - * / % and parentheses over numbers.</summary>
public static class MathExpression
{
    public static double Evaluate(string text)
    {
        var pos = 0;
        var value = Sum(text, ref pos);
        Skip(text, ref pos);
        if (pos != text.Length) throw new TemplateException($"$.math cannot read '{text}' at position {pos}");
        if (double.IsNaN(value) || double.IsInfinity(value)) throw new TemplateException($"$.math({text}) is not a finite number");
        return value;
    }

    static double Sum(string s, ref int p)
    {
        var v = Product(s, ref p);
        while (true)
        {
            Skip(s, ref p);
            if (p < s.Length && s[p] == '+') { p++; v += Product(s, ref p); }
            else if (p < s.Length && s[p] == '-') { p++; v -= Product(s, ref p); }
            else return v;
        }
    }

    static double Product(string s, ref int p)
    {
        var v = Unary(s, ref p);
        while (true)
        {
            Skip(s, ref p);
            if (p < s.Length && s[p] == '*') { p++; v *= Unary(s, ref p); }
            else if (p < s.Length && s[p] == '/') { p++; v /= Unary(s, ref p); }
            else if (p < s.Length && s[p] == '%') { p++; v %= Unary(s, ref p); }
            else return v;
        }
    }

    static double Unary(string s, ref int p)
    {
        Skip(s, ref p);
        if (p < s.Length && s[p] == '-') { p++; return -Unary(s, ref p); }
        if (p < s.Length && s[p] == '+') { p++; return Unary(s, ref p); }
        if (p < s.Length && s[p] == '(')
        {
            p++;
            var v = Sum(s, ref p);
            Skip(s, ref p);
            if (p >= s.Length || s[p] != ')') throw new TemplateException($"$.math({s}) misses a ')'");
            p++;
            return v;
        }
        var start = p;
        while (p < s.Length && (char.IsAsciiDigit(s[p]) || s[p] == '.' || ((s[p] == 'e' || s[p] == 'E') && p > start))) p++;
        if (start == p || !NumberText.TryParse(s[start..p], out var d))
            throw new TemplateException($"$.math({s}): expected a number at position {start}");
        return d;
    }

    static void Skip(string s, ref int p) { while (p < s.Length && char.IsWhiteSpace(s[p])) p++; }
}
