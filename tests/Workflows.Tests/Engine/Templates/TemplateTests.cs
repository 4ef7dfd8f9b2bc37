using System.Text.Json.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Tests.Engine.Templates;

public sealed class TemplateTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 7, 30, 15, TimeSpan.Zero);

    static TemplateScope Scope() => new(
        JsonNode.Parse("""{"name":"Ivan","phone":"79161234567","order":{"items":[{"sku":"W-1","qty":2},{"sku":"W-2","qty":1}],"total":1250.5},"paid":true,"n":"7"}""")!.AsObject(),
        new JsonObject { ["task_id"] = "abc", ["ref"] = "r-1", ["conv_id"] = 5 },
        Now);

    [TestCase("Hello, {{name}}!", "Hello, Ivan!")]
    [TestCase("{{order.items[1].sku}}", "W-2")]
    [TestCase("{{order.items[0].qty}} pcs", "2 pcs")]
    [TestCase("{{root.ref}}/{{root.task_id}}", "r-1/abc")]
    [TestCase("missing: [{{nope.deeper}}]", "missing: []")]
    [TestCase("{{order.total}}", "1250.5")]
    [TestCase("{{paid}}", "true")]
    [TestCase("$.md5_hex({{phone}})", "1ddc7d0b9dd0c6b0e6b4f3e3ae1cfd74")]
    [TestCase("$.sha1_hex(abc)", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [TestCase("$.sha256_hex(abc)", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [TestCase("$.base64_encode({{name}})", "SXZhbg==")]
    [TestCase("$.base64_decode(SXZhbg==)", "Ivan")]
    [TestCase("$.math({{order.items[0].qty}} * 10 + ({{n}} - 2) / 5)", "21")]
    [TestCase("$.unixtime()", "1795419015")]
    [TestCase("$.unixtime(2026-11-23T07:30:15Z)", "1795419015")]
    [TestCase("$.date(%Y-%m-%d %H:%i:%s)", "2026-11-23 07:30:15")]
    [TestCase("$.date(%H:%i, , Europe/Moscow)", "10:30")]
    [TestCase("$.date(%d.%m.%y, 0)", "01.01.1970")]
    [TestCase("weekday $.date(%w)", "weekday 1")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "Checks the md5_hex template function against MD5 itself.")]
    public void Renders_text(string template, string expected)
    {
        if (template.StartsWith("$.md5", StringComparison.Ordinal))
            expected = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("79161234567"u8.ToArray()));
        Assert.That(Template.Parse(template).RenderString(Scope()), Is.EqualTo(expected));
    }

    [Test]
    public void Every_function_written_as_the_designer_s_hint_shows_it_is_accepted()
    {
        // The hint under template fields lists TemplateFunctions.Usage; "…" stands for the arguments.
        foreach (var name in TemplateFunctions.Names)
        {
            var usage = TemplateFunctions.Usage(name);
            Assert.DoesNotThrow(() => Template.Parse($"at {usage.Replace("(…)", "({{phone}})", StringComparison.Ordinal)}"), usage);
        }
        Assert.That(TemplateFunctions.Usage("unixtime"), Is.EqualTo("$.unixtime()"));
        // What the hint used to suggest: a function inside {{ }} is a path, refused.
        Assert.Throws<TemplateException>(() => Template.Parse("{{$.unixtime()}}"));
    }

    [Test]
    public void A_single_insertion_keeps_its_json_type()
    {
        Assert.That(Template.Parse("{{order.total}}").Render(Scope())!.GetValue<double>(), Is.EqualTo(1250.5));
        Assert.That(Template.Parse("{{paid}}").Render(Scope())!.GetValue<bool>(), Is.True);
        Assert.That(Template.Parse("{{order.items}}").Render(Scope()), Is.InstanceOf<JsonArray>());
        Assert.That(Template.Parse("{{nothing}}").Render(Scope()), Is.Null);
        Assert.That(Template.Parse("$.math(2+3)").Render(Scope())!.GetValue<double>(), Is.EqualTo(5));
        Assert.That(Template.Parse("x{{order.total}}").Render(Scope())!.GetValue<string>(), Is.EqualTo("x1250.5"));
    }

    [Test]
    public void Random_stays_within_its_bounds()
    {
        var t = Template.Parse("$.random(3, 5)");
        var seen = Enumerable.Range(0, 200).Select(_ => (long)t.Render(Scope())!.GetValue<long>()).ToHashSet();
        Assert.That(seen, Is.SubsetOf(new long[] { 3, 4, 5 }));
        Assert.That(seen, Has.Count.EqualTo(3));
    }

    [TestCase("{{name", "not closed")]
    [TestCase("{{}}", "must not be empty")]
    [TestCase("{{a..b}}", "empty name")]
    [TestCase("{{a[x]}}", "bad index")]
    [TestCase("$.nosuch(1)", "unknown function $.nosuch")]
    [TestCase("$.md5_hex(a, b)", "takes 1 argument")]
    [TestCase("$.math(1 + (2)", "not closed")]
    [TestCase("{{conv[5].ref[{{id}}.name}}", "not closed")]
    [TestCase("{{conv[5].status}}", "conv[ID].ref[REF]")]
    [TestCase("{{conv[].ref[x]}}", "must not be empty")]
    [TestCase("{{node[n1]}}", "node[ID].name")]
    public void Bad_templates_are_refused_with_the_reason(string template, string reason)
    {
        var e = Assert.Throws<TemplateException>(() => Template.Parse(template));
        Assert.That(e!.Message, Does.Contain(reason));
    }

    [TestCase("$.math(1 / 0)", "not a finite number")]
    [TestCase("$.math(abc)", "expected a number")]
    [TestCase("$.unixtime(yesterday-ish)", "neither a unix time nor a date")]
    [TestCase("$.date(%H, , Mars/Olympus)", "unknown time zone")]
    public void Bad_values_fail_when_rendered(string template, string reason)
    {
        var e = Assert.Throws<TemplateException>(() => Template.Parse(template).RenderString(Scope()));
        Assert.That(e!.Message, Does.Contain(reason));
    }

    [Test]
    public void Paths_set_values_creating_what_is_missing()
    {
        var data = new JsonObject();
        DataPath.Parse("a.b[2].c").Set(data, 5);
        DataPath.Parse("x").Set(data, "y");
        Assert.That(data.ToJsonString(), Is.EqualTo("""{"a":{"b":[null,null,{"c":5}]},"x":"y"}"""));
        Assert.That(DataPath.Parse("a.b[2].c").Get(data)!.GetValue<int>(), Is.EqualTo(5));
        Assert.That(DataPath.Parse("a[\"b\"][2]").Get(data), Is.InstanceOf<JsonObject>());
    }

    /// <summary>{{conv[ID].ref[REF]…}}: another process's task, the ref and the process may be templates themselves.</summary>
    [TestCase("{{conv[@users].ref[{{phone}}].status}}", "active")]
    [TestCase("{{conv[7].ref[u-{{n}}].name}}", "Seven")]
    [TestCase("Dear {{conv[@users].ref[{{phone}}].name}}, {{conv[@users].ref[{{phone}}].cart.items[0]}}", "Dear Olga, W-1")]
    [TestCase("[{{conv[@users].ref[nobody].status}}]", "[]")]
    [TestCase("[{{conv[@nowhere].ref[{{phone}}]}}]", "[]")]
    [TestCase("[{{conv[@users].ref[{{phone}}].no_such_field}}]", "[]")]
    [TestCase("$.md5_hex({{conv[@users].ref[{{phone}}].status}})", "c76a5e84e4bdee527e274ea30c680d79")]
    public void Another_process_task_is_read_by_ref(string template, string expected)
    {
        var tasks = new Dictionary<(string, string), JsonObject>
        {
            [("@users", "79161234567")] = JsonNode.Parse("""{"name":"Olga","status":"active","cart":{"items":["W-1"]}}""")!.AsObject(),
            [("7", "u-7")] = new JsonObject { ["name"] = "Seven" },
        };
        var scope = new TemplateScope(Scope().Data, new JsonObject(), Now) { Tasks = (conv, reference) => tasks.GetValueOrDefault((conv, reference)) };
        Assert.That(Template.Parse(template).RenderString(scope), Is.EqualTo(expected));
    }

    [Test]
    public void A_task_read_alone_keeps_its_type_and_an_unknown_ref_is_an_empty_string()
    {
        var user = JsonNode.Parse("""{"name":"Olga","visits":3}""")!.AsObject();
        var scope = new TemplateScope(Scope().Data, new JsonObject(), Now) { Tasks = (_, reference) => reference == "u1" ? user : null };
        Assert.That(Template.Parse("{{conv[1].ref[u1]}}").Render(scope)!.ToJsonString(), Is.EqualTo("""{"name":"Olga","visits":3}"""));
        Assert.That(Template.Parse("{{ conv[1].ref[u1].visits }}").Render(scope)!.ToJsonString(), Is.EqualTo("3"));
        Assert.That(Template.Parse("{{conv[1].ref[u2].visits}}").Render(scope)!.ToJsonString(), Is.EqualTo("\"\""), "Corezoid reads an unknown ref as an empty string");
    }
}
