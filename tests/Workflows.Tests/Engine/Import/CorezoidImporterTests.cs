using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Workflows.Engine.Definitions;
using Workflows.Engine.Import;
using Workflows.Engine.Nodes;

namespace Workflows.Tests.Engine.Import;

[TestFixture]
public sealed class CorezoidImporterTests
{
    static readonly string[] Samples = ["api-post.json", "gpt-calculator.json", "stripe-checkout.json", "sample_user_export.json"];

    static readonly Dictionary<string, NodeType> Types = NodeCatalog.BuiltIn().ToDictionary(t => t.Name);

    static ImportedProcess ImportSample(string file)
    {
        var result = CorezoidImporter.Import(CorezoidSamples.Read(file));
        Assert.That(result.Processes, Has.Count.EqualTo(1), file);
        return result.Processes[0];
    }

    static NodeDefinition Node(ImportedProcess process, string id) =>
        process.Definition.Nodes.Single(n => n.Id == id);

    static string? Text(JsonNode? node) => node?.GetValue<string>();

    /// <summary>The node ids of the (single) process in an export, read independently of the importer.</summary>
    static List<string> CorezoidNodeIds(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var process = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement[0] : doc.RootElement;
        return process.GetProperty("scheme").GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToList();
    }

    // ------------------------------------------------------------ real exports

    [TestCaseSource(nameof(Samples))]
    public void Real_export_imports_with_every_node_id_kept(string file)
    {
        var json = CorezoidSamples.Read(file);
        var ids = CorezoidNodeIds(json);
        var process = ImportSample(file);
        var ours = process.Definition.Nodes.Select(n => n.Id).ToList();

        Assert.That(ours, Is.Unique);
        Assert.That(ours, Is.SupersetOf(ids));
        // Extra nodes are only condition halves of split nodes (<id>_if) or added end nodes, each reported or lossless.
        var added = ours.Except(ids).ToList();
        Assert.That(added, Has.All.Matches<string>(id => ids.Any(c => id.StartsWith(c + "_", StringComparison.Ordinal)) || id.StartsWith("missing_", StringComparison.Ordinal)));
        Assert.That(process.Definition.Nodes.Count(n => n.Type == "start"), Is.EqualTo(1));
    }

    [TestCaseSource(nameof(Samples))]
    public void Real_export_graph_is_complete(string file)
    {
        var definition = ImportSample(file).Definition;
        AssertGraphIntegrity(definition);
    }

    [TestCaseSource(nameof(Samples))]
    public void Real_export_round_trips_through_the_definition_format(string file)
    {
        var definition = ImportSample(file).Definition;
        var again = DefinitionJson.Parse(DefinitionJson.Write(definition));
        Assert.That(again.Nodes, Has.Count.EqualTo(definition.Nodes.Count));
        Assert.That(again.Nodes.Select(n => (n.Id, n.Type, Exits: string.Join(",", n.Exits.OrderBy(e => e.Key).Select(e => e.Key + "=" + e.Value)))),
            Is.EqualTo(definition.Nodes.Select(n => (n.Id, n.Type, Exits: string.Join(",", n.Exits.OrderBy(e => e.Key).Select(e => e.Key + "=" + e.Value))))));
        Assert.That(again.ConvId, Is.EqualTo(definition.ConvId));
        Assert.That(again.Title, Is.EqualTo(definition.Title));
        AssertGraphIntegrity(again);
    }

    [Test]
    public void Api_post_converts_code_api_reply_and_finals_as_the_export_says()
    {
        var process = ImportSample("api-post.json");
        Assert.That(process.CorezoidObjId, Is.Null, "api-post.json has no obj_id");
        Assert.That(process.Definition.Title, Is.EqualTo("Create Actor EXAMPLE"));

        var start = Node(process, "6838651f513aa075cfeaa6a1");
        Assert.That(start.Type, Is.EqualTo("start"));
        Assert.That(start.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "6846e29d513aa075cf49b67a" }));
        Assert.That((start.X, start.Y), Is.EqualTo((600d, 100d)));

        var code = Node(process, "6846e29d513aa075cf49b67a");
        Assert.That(code.Type, Is.EqualTo("code"));
        Assert.That(code.Title, Is.EqualTo("Prepare Parameters"));
        Assert.That(code.Description, Is.EqualTo("Prepares parameters for API call"));
        Assert.That(Text(code.Params["src"]), Does.StartWith("// Prepare API call parameters\ndata.api_url ="));
        Assert.That(code.Exits["next"], Is.EqualTo("6846e29d513aa075cf49b67c"));
        Assert.That(code.Exits["error"], Is.EqualTo("6846e29d513aa075cf49b67e"));

        var api = Node(process, "6846e29d513aa075cf49b67c");
        Assert.That(api.Type, Is.EqualTo("api"));
        Assert.That(Text(api.Params["method"]), Is.EqualTo("POST"));
        Assert.That(Text(api.Params["url"]), Is.EqualTo("{{api_url}}"));
        Assert.That(Text(api.Params["body_type"]), Is.EqualTo("raw"));
        Assert.That(Text(api.Params["body"]), Is.EqualTo("{{reqBody}}"));
        Assert.That(Text(api.Params["headers"]!["authorization"]), Is.EqualTo("{{authorization_header}}"));
        Assert.That(Text(api.Params["headers"]!["content-type"]), Is.EqualTo("application/json; charset=utf-8"));
        Assert.That(Text(api.Params["response_key"]), Is.EqualTo("body"));
        Assert.That(api.Exits["error"], Is.EqualTo("6846e29d513aa075cf49b67f"));
        Assert.That(api.Exits["next"], Is.EqualTo("6846e29d513aa075cf49b67d"));
        Assert.That(process.Issues.Where(i => i.NodeId == "6846e29d513aa075cf49b67c").Select(i => i.What),
            Has.Some.Contains("response header"), "the {{header}} mapping is reported");

        var escalation = Node(process, "6846e29d513aa075cf49b67f");
        Assert.That(escalation.Type, Is.EqualTo("reply"));
        Assert.That(escalation.Description, Does.Contain("Escalation").And.Contain("Returns error from API call"));
        Assert.That(escalation.Params["exception"]!.GetValue<bool>(), Is.True);
        Assert.That(Text(escalation.Params["data"]!["error"]), Is.EqualTo("API call error"));
        Assert.That(escalation.Exits["next"], Is.EqualTo("6846e29d513aa075cf49b681"));

        var reply = Node(process, "6846e29d513aa075cf49b67d");
        Assert.That(Text(reply.Params["data"]!["response"]), Is.EqualTo("{{body}}"));
        Assert.That(reply.Params["exception"], Is.Null);

        Assert.That(Text(Node(process, "6846e29d513aa075cf49b682").Params["result"]), Is.EqualTo("success"));
        Assert.That(Text(Node(process, "6846e29d513aa075cf49b680").Params["result"]), Is.EqualTo("error"));
        Assert.That(Node(process, "6846e29d513aa075cf49b680").Exits, Is.Empty);
    }

    [Test]
    public void Gpt_calculator_converts_condition_and_process_call()
    {
        var process = ImportSample("gpt-calculator.json");
        Assert.That(process.CorezoidObjId, Is.EqualTo(1668282));
        Assert.That(process.Definition.ConvId, Is.EqualTo(1668282));

        var condition = Node(process, "68418f1382ba9626707c4f6b");
        Assert.That(condition.Type, Is.EqualTo("condition"));
        Assert.That(condition.Params["rules"]!.ToJsonString(), Is.EqualTo(
            """[{"exit":"rule1","conditions":[{"param":"isCalculation","fun":"eq","const":"true","cast":"boolean"}]}]"""));
        Assert.That(condition.Exits, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["rule1"] = "68418f1382ba9626707c4f5a",
            ["default"] = "68418f1382ba9626707c4f66",
        }));

        var call = Node(process, "68418f1382ba9626707c4f5a");
        Assert.That(call.Type, Is.EqualTo("call_process"));
        Assert.That(Text(call.Params["conv_id"]), Is.EqualTo("1660229"));
        Assert.That(Text(call.Params["data"]!["messages"]), Is.EqualTo("{{messages}}"));
        Assert.That(call.Exits["next"], Is.EqualTo("68418f1382ba9626707c4f5e"));
        Assert.That(call.Exits["error"], Is.EqualTo("68418f1382ba9626707c4f5f"));
        Assert.That(call.Exits["timeout"], Is.EqualTo("68418f1382ba9626707c4f5f"), "an RPC without answer goes to the error node, as in Corezoid");

        // The analysis code uses an arrow function: modern JavaScript compiles, so the import no longer flags it.
        Assert.That(Node(process, "68418f1382ba9626707c4f62").Params["src"]!.GetValue<string>(), Does.Contain("=>"));
        Assert.That(process.Issues.Where(i => i.NodeId == "68418f1382ba9626707c4f62").Select(i => i.What), Has.None.Contains("params.src"));
    }

    [Test]
    public void Stripe_checkout_converts_set_param_delay_escalation_and_api_sum()
    {
        var process = ImportSample("stripe-checkout.json");

        var config = Node(process, "68cd3f94b677ac95d109fb49");
        Assert.That(config.Type, Is.EqualTo("set_param"));
        Assert.That(config.Params["values"]!.ToJsonString(), Is.EqualTo("""{"url":"https://api.stripe.com"}"""));
        Assert.That(config.Exits["next"], Is.EqualTo("68cd4683e552e8d5700ce6a0"));
        Assert.That(config.Exits["error"], Is.EqualTo("68cd3f94b677ac95d109fb48"));

        var delay = Node(process, "68cd541ee552e8d5701317c2");
        Assert.That(delay.Type, Is.EqualTo("delay"));
        Assert.That(delay.Params["seconds"]!.GetValue<double>(), Is.EqualTo(30));
        Assert.That(delay.Exits["next"], Is.EqualTo("68cd541ee552e8d5701317d2"));

        var get = Node(process, "68cd541ee552e8d5701317d2");
        Assert.That(Text(get.Params["method"]), Is.EqualTo("GET"));
        Assert.That(Text(get.Params["url"]), Is.EqualTo("{{url}}{{pathAndQuery}}"));
        Assert.That(Text(get.Params["response_key"]), Is.EqualTo("responseBody"));
        Assert.That(get.Exits["error"], Is.EqualTo("68cd541ee552e8d5701317a4"));

        var checkout = Node(process, "68cd3f94b677ac95d109fb47");
        Assert.That(Text(checkout.Params["body_type"]), Is.EqualTo("raw"));
        Assert.That(Text(checkout.Params["headers"]!["Authorization"]), Is.EqualTo("Bearer {{secretKey}}"));

        var escalation = Node(process, "68cd541ee552e8d5701317a4");
        Assert.That(escalation.Type, Is.EqualTo("condition"));
        var rules = escalation.Params["rules"]!.AsArray();
        Assert.That(rules, Has.Count.EqualTo(3));
        Assert.That(rules[1]!["conditions"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(Text(rules[0]!["conditions"]![0]!["param"]), Is.EqualTo("__conveyor_api_return_type_error__"));
        Assert.That(escalation.Exits["rule1"], Is.EqualTo("68cd541ee552e8d5701317b0"));
        Assert.That(escalation.Exits["rule2"], Is.EqualTo("68cd5519e552e8d57013b2f4"));
        Assert.That(escalation.Exits["default"], Is.EqualTo("68cd5519e552e8d57013b2f4"));

        var sum = Node(process, "68cd541ee552e8d5701317b0");
        Assert.That(sum.Type, Is.EqualTo("sum"));
        Assert.That(sum.Params["sums"]!.ToJsonString(), Is.EqualTo("""{"http_retries":"1"}"""));
        Assert.That(sum.Exits["next"], Is.EqualTo("68cd541ee552e8d5701317c2"));
        Assert.That(process.Issues.Where(i => i.NodeId == "68cd541ee552e8d5701317b0"), Is.Empty);
    }

    [Test]
    public void User_export_with_duplicate_keys_and_ui_fields_imports()
    {
        var process = ImportSample("sample_user_export.json");
        Assert.That(process.CorezoidObjId, Is.EqualTo(779994));
        Assert.That(process.Title, Is.EqualTo("HTML"));

        var condition = Node(process, "5f2840c3513aa01f9a393333");
        Assert.That(condition.Type, Is.EqualTo("condition"));
        Assert.That(condition.Params["rules"]!.ToJsonString(), Is.EqualTo(
            """[{"exit":"rule1","conditions":[{"param":"{{pathAsArray[3]}}","fun":"eq","const":"second","cast":"string"}]}]"""));
        Assert.That(condition.Exits["rule1"], Is.EqualTo("5f28412e513aa01f9a3935e6"));
        Assert.That(condition.Exits["default"], Is.EqualTo("5f26f5f8513aa01f9a2c4b93"));

        var api = Node(process, "5f26f5f8513aa01f9a2c4b93");
        Assert.That(Text(api.Params["url"]), Is.EqualTo("https://corezoid-ssr-demo.herokuapp.com/reply/{{req.id}}"));
        Assert.That(api.Params["body"]!.ToJsonString(), Is.EqualTo("""{"html":"{{html}}","headers":"{{headers}}"}"""));
        Assert.That(Text(api.Params["body_type"]), Is.EqualTo("json"));
        Assert.That(api.Params["response_key"], Is.Null, "customize_response is false: the answer is merged");
        Assert.That(api.Exits["error"], Is.EqualTo("5f26f5f8513aa01f9a2c4b96"));

        // Template literals compile (modern JavaScript): the code node is not flagged.
        Assert.That(Node(process, "5f26f5c582ba96377a2ed35d").Params["src"]!.GetValue<string>(), Does.Contain("`"));
        Assert.That(process.Issues.Where(i => i.NodeId == "5f26f5c582ba96377a2ed35d").Select(i => i.What), Has.None.Contains("params.src"));
    }

    // ------------------------------------------------------------ inline exports

    static string Process(string nodes, string extra = "") =>
        $$$"""[{"obj_type":1,"obj_id":42,"title":"T","status":"active","conv_type":"process"{{{extra}}},"scheme":{"nodes":[{{{nodes}}}],"web_settings":[[],[]]}}]""";

    const string Start = """{"id":"s","obj_type":1,"condition":{"logics":[{"type":"go","to_node_id":"a"}],"semaphors":[]},"title":"Start","x":0,"y":0,"extra":"{\"icon\":\"\"}","options":null}""";
    const string Final = """{"id":"f","obj_type":2,"condition":{"logics":[],"semaphors":[]},"title":"Final","x":0,"y":500,"extra":"{\"modeForm\":\"collapse\",\"icon\":\"success\"}"}""";
    const string ErrorFinal = """{"id":"e","obj_type":2,"condition":{"logics":[],"semaphors":[]},"title":"Error","x":200,"y":500,"extra":"{\"icon\":\"error\"}","options":"{\"save_task\":true}"}""";

    static string Node(string logics, string semaphors = "", string id = "a") =>
        $$"""{"id":"{{id}}","obj_type":0,"condition":{"logics":[{{logics}}],"semaphors":[{{semaphors}}]},"title":"Node {{id}}","x":10,"y":20,"extra":"{\"modeForm\":\"expand\",\"icon\":\"\"}"}""";

    static ImportedProcess ImportOne(string json)
    {
        var result = CorezoidImporter.Import(json);
        Assert.That(result.Processes, Has.Count.EqualTo(1));
        AssertGraphIntegrity(result.Processes[0].Definition);
        return result.Processes[0];
    }

    [Test]
    public void Duplicate_keys_are_tolerated_and_the_last_one_wins()
    {
        var json = """
            [{"obj_type":1,"obj_id":7,"title":"First","title":"Second","conv_type":"process","conv_type":"process",
              "scheme":{"nodes":[
                {"id":"s","obj_type":1,"condition":{"logics":[{"type":"go","to_node_id":"f","to_node_id":"f2"}],"semaphors":[]},"x":0,"y":0},
                {"id":"f","obj_type":2,"condition":{"logics":[],"semaphors":[]},"extra":"{\"icon\":\"success\",\"icon\":\"error\"}","x":0,"y":0},
                {"id":"f2","obj_type":2,"condition":{"logics":[],"semaphors":[]},"x":0,"y":0}]}}]
            """;
        Assert.Catch(() => JsonNode.Parse(json)!.AsArray()[0]!.AsObject().ToList(), "System.Text.Json's JsonNode rejects these keys");

        var process = ImportOne(json);
        Assert.That(process.Definition.Title, Is.EqualTo("Second"));
        Assert.That(Node(process, "s").Exits["next"], Is.EqualTo("f2"));
        Assert.That(Text(Node(process, "f").Params["result"]), Is.EqualTo("error"));
    }

    [Test]
    public void A_single_process_object_and_folders_with_list_and_childs_import()
    {
        var process = Process($"{Start},{Node("""{"type":"go","to_node_id":"f"}""")},{Final}")[1..^1];
        Assert.That(CorezoidImporter.Import(process).Processes, Has.Count.EqualTo(1));

        var nested = $$"""
            [{"obj_type":0,"obj_id":1,"title":"Folder","list":[
                {"obj_type":0,"obj_id":2,"title":"Sub","childs":[{{process}}]},
                {{process.Replace("\"obj_id\":42", "\"obj_id\":43", StringComparison.Ordinal)}}]},
             {"obj_type":3,"obj_id":9,"title":"A dashboard"}]
            """;
        var result = CorezoidImporter.Import(nested);
        Assert.That(result.Processes.Select(p => p.CorezoidObjId), Is.EqualTo(new long?[] { 42, 43 }));
        Assert.That(result.Issues.Single().What, Does.Contain("A dashboard"));
    }

    [TestCase("this is not json")]
    [TestCase("[1, 2")]
    [TestCase("42")]
    [TestCase("")]
    [TestCase("[]")]
    [TestCase("""{"hello":"world"}""")]
    [TestCase("""[{"obj_type":1,"title":"no scheme"}]""")]
    public void Garbage_input_throws_a_clear_error(string json)
    {
        var e = Assert.Throws<CorezoidImportException>(() => CorezoidImporter.Import(json));
        Assert.That(e!.Message, Does.Contain("JSON").Or.Contain("No Corezoid process").Or.Contain("empty"));
    }

    [Test]
    public void Extra_and_options_may_be_objects_json_strings_null_or_absent()
    {
        var nodes = string.Join(",",
            """{"id":"s","obj_type":1,"condition":"{\"logics\":[{\"type\":\"go\",\"to_node_id\":\"f\"}]}","x":"5","y":6,"options":"{\"direct_url\":true}"}""",
            """{"id":"f","obj_type":2,"condition":{"logics":[],"semaphors":[]},"x":0,"y":0,"extra":{"icon":"error"},"options":null}""",
            """{"id":"g","obj_type":2,"x":0,"y":0,"extra":"not json"}""");
        var process = ImportOne(Process(nodes));
        Assert.That(Node(process, "s").Exits["next"], Is.EqualTo("f"), "condition given as JSON text");
        Assert.That(Node(process, "s").X, Is.EqualTo(5));
        Assert.That(Text(Node(process, "f").Params["result"]), Is.EqualTo("error"));
        Assert.That(Text(Node(process, "g").Params["result"]), Is.EqualTo("success"));
        Assert.That(process.Issues, Is.Empty);
    }

    [Test]
    public void Legacy_flat_go_if_const_becomes_a_condition_rule()
    {
        var node = Node("""
            {"type":"go_if_const","param":"amount","fun":"more","const":"100","cast":"number","to_node_id":"e","id":"x1","chTime":1596473662431},
            {"type":"go","to_node_id":"f","id":"x2","chTime":1596473662432}
            """);
        var process = ImportOne(Process($"{Start},{node},{Final},{ErrorFinal}"));
        var condition = Node(process, "a");
        Assert.That(condition.Type, Is.EqualTo("condition"));
        Assert.That(condition.Params["rules"]!.ToJsonString(), Is.EqualTo(
            """[{"exit":"rule1","conditions":[{"param":"amount","fun":"more","const":"100","cast":"number"}]}]"""));
        Assert.That(condition.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["rule1"] = "e", ["default"] = "f" }));
        Assert.That(process.Issues, Is.Empty);
    }

    [Test]
    public void An_action_with_conditions_is_split_into_two_nodes_without_an_issue()
    {
        var node = Node("""
            {"type":"set_param","extra":{"n":"5","ok":"true","obj":"{\"a\":[1,2]}","t":"{{x}}"},"extra_type":{"n":"number","ok":"boolean","obj":"object","t":"number"},"err_node_id":"e"},
            {"type":"go_if_const","to_node_id":"e","conditions":[{"param":"n","const":"5","fun":"eq","cast":"number"}]},
            {"type":"go_if_const","to_node_id":"e","conditions":[{"param":"ok","const":"true","fun":"eq","cast":"boolean"}]},
            {"type":"go","to_node_id":"f"}
            """);
        var process = ImportOne(Process($"{Start},{node},{Final},{ErrorFinal}"));
        var action = Node(process, "a");
        Assert.That(action.Type, Is.EqualTo("set_param"));
        Assert.That(action.Params["values"]!.ToJsonString(), Is.EqualTo("""{"n":5,"ok":true,"obj":{"a":[1,2]},"t":"{{x}}"}"""));
        Assert.That(action.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "a_if", ["error"] = "e" }));
        var condition = Node(process, "a_if");
        Assert.That(condition.Type, Is.EqualTo("condition"));
        Assert.That(condition.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["rule1"] = "e", ["rule2"] = "e", ["default"] = "f" }));
        Assert.That(process.Issues, Is.Empty);
    }

    [Test]
    public void A_node_with_only_a_go_becomes_an_empty_set_param()
    {
        var process = ImportOne(Process($"{Start},{Node("""{"type":"go","to_node_id":"f"}""")},{Final}"));
        var pass = Node(process, "a");
        Assert.That(pass.Type, Is.EqualTo("set_param"));
        Assert.That(pass.Params["values"]!.ToJsonString(), Is.EqualTo("{}"));
        Assert.That(pass.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "f" }));
        Assert.That(process.Issues, Is.Empty, "an empty set_param passes the engine's checks");
    }

    [Test]
    public void Modern_code_with_known_libraries_passes_and_an_unknown_library_is_reported()
    {
        var good = Node("""{"type":"api_code","lang":"js","src":"require(\"libs/moment-timezone.js\");\nconst t = moment.tz(data.at, 'Europe/Moscow');\ndata.t = `${t.format()}`;","err_node_id":"e"},{"type":"go","to_node_id":"f"}""");
        Assert.That(ImportOne(Process($"{Start},{good},{Final},{ErrorFinal}")).Issues, Is.Empty);
        var bad = Node("""{"type":"api_code","lang":"js","src":"require(\"libs/lodash.js\");\ndata.x = _.sum([1, 2]);","err_node_id":"e"},{"type":"go","to_node_id":"f"}""");
        var issue = ImportOne(Process($"{Start},{bad},{Final},{ErrorFinal}")).Issues.Single();
        Assert.That(issue.What, Does.Contain("params.src"));
        Assert.That(issue.Why, Does.Contain("unknown library 'libs/lodash.js'"));
    }

    [Test]
    public void Erlang_code_is_reported_and_becomes_a_throwing_code_node()
    {
        var node = Node("""{"type":"api_code","lang":"erl","src":"Data.","err_node_id":"e"},{"type":"go","to_node_id":"f"}""");
        var process = ImportOne(Process($"{Start},{node},{Final},{ErrorFinal}"));
        var code = Node(process, "a");
        Assert.That(code.Type, Is.EqualTo("code"));
        Assert.That(Text(code.Params["src"]), Does.Contain("throw new Error('not converted").And.Contain("//   Data."));
        Assert.That(code.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "f", ["error"] = "e" }));
        var issue = process.Issues.Single();
        Assert.That((issue.NodeId, issue.NodeTitle), Is.EqualTo(("a", "Node a")));
        Assert.That(issue.What, Does.Contain("Erlang"));
    }

    [TestCase("db_call", """ "instance_id":1,"query":"SELECT 1" """)]
    [TestCase("git_call", """ "repo":"r","lang":"js" """)]
    [TestCase("api_git", """ "repo":"r" """)]
    [TestCase("api_form", """ "form_id":"x" """)]
    [TestCase("something_new", """ "x":1 """)]
    public void Unsupported_logics_are_reported_per_node_and_keep_the_graph_connected(string type, string fields)
    {
        var node = Node($$"""{"type":"{{type}}",{{fields}},"err_node_id":"e"},{"type":"go","to_node_id":"f"}""");
        var process = ImportOne(Process($"{Start},{node},{Final},{ErrorFinal}"));
        var converted = Node(process, "a");
        Assert.That(converted.Type, Is.EqualTo("set_param"));
        Assert.That(converted.Description, Does.Contain(type));
        Assert.That(converted.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "f", ["error"] = "e" }));
        var issue = process.Issues.Single();
        Assert.That(issue.NodeId, Is.EqualTo("a"));
        Assert.That(issue.What, Does.Contain(type));
    }

    [Test]
    public void Time_semaphors_become_delays_and_callback_time_limits()
    {
        var nodes = string.Join(",",
            Start,
            Node("", """{"type":"time","value":10,"dimension":"min","to_node_id":"b"}"""),
            Node("", """{"type":"time","value":"{{wake_at}}","dimension":"sec","to_node_id":"c"}""", id: "b"),
            Node("""{"type":"api_callback","is_sync":true,"obj_id_path":"{{data.task}}"},{"type":"go","to_node_id":"f"}""",
                """{"type":"time","value":2,"dimension":"hour","to_node_id":"e"}""", id: "c"),
            Final, ErrorFinal);
        var process = ImportOne(Process(nodes));
        var delay = Node(process, "a");
        Assert.That(delay.Type, Is.EqualTo("delay"));
        Assert.That(delay.Params["seconds"]!.GetValue<double>(), Is.EqualTo(600));
        Assert.That(delay.Exits["next"], Is.EqualTo("b"));
        Assert.That(Text(Node(process, "b").Params["until"]), Is.EqualTo("{{wake_at}}"));
        var callback = Node(process, "c");
        Assert.That(callback.Type, Is.EqualTo("wait_callback"));
        Assert.That(callback.Params["timeout_seconds"]!.GetValue<double>(), Is.EqualTo(7200));
        Assert.That(Text(callback.Params["task_id_path"]), Is.EqualTo("data.task"));
        Assert.That(callback.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "f", ["timeout"] = "e" }));
        Assert.That(process.Issues, Is.Empty);
    }

    [Test]
    public void Time_semaphors_on_api_and_copy_nodes_become_time_limits_to_the_named_node()
    {
        var nodes = string.Join(",", Start,
            Node("""{"type":"api","method":"GET","url":"https://crm.example/x","extra":{},"extra_type":{},"err_node_id":"e"},{"type":"go","to_node_id":"b"}""",
                """{"type":"time","value":2,"dimension":"min","to_node_id":"e"}"""),
            Node("""{"type":"api_copy","mode":"create","conv_id":"77","data":{},"data_type":{},"err_node_id":"e"},{"type":"go","to_node_id":"f"}""",
                """{"type":"time","value":"{{call_at}}","dimension":"sec","to_node_id":"e"}""", id: "b"),
            Final, ErrorFinal);
        var process = ImportOne(Process(nodes));
        var api = Node(process, "a");
        Assert.That(api.TimeLimit!.Seconds, Is.EqualTo(120));
        Assert.That(api.Exits["timeout"], Is.EqualTo("e"));
        var copy = Node(process, "b");
        Assert.That(copy.TimeLimit!.Until, Is.EqualTo("{{call_at}}"));
        Assert.That(copy.Exits["timeout"], Is.EqualTo("e"));
        Assert.That(process.Issues, Is.Empty, "nothing is dropped");
    }

    [Test]
    public void Count_semaphors_and_unused_time_semaphors_are_reported()
    {
        var node = Node("""{"type":"go","to_node_id":"f"}""",
            """{"type":"count","value":1000,"esc_node_id":"e"},{"type":"time","value":5,"dimension":"sec","to_node_id":"e"}""");
        var process = ImportOne(Process($"{Start},{node},{Final},{ErrorFinal}"));
        Assert.That(process.Issues.Select(i => i.NodeId), Is.All.EqualTo("a"));
        Assert.That(process.Issues.Select(i => i.What), Has.Some.Contains("count semaphor").And.Some.Contains("esc").Or.Some.Contains("escalation to node e"));
        Assert.That(process.Issues.Select(i => i.What), Has.Some.Contains("time semaphor"));
    }

    [Test]
    public void Copy_task_modify_and_reply_convert()
    {
        var nodes = string.Join(",",
            Start,
            Node("""{"type":"api_copy","mode":"modify","conv_id":"@orders","ref":"{{root.ref}}","data":{"n":"2","list":"[1,2]"},"data_type":{"n":"number","list":"array"},"group":"all","is_sync":true,"err_node_id":"e"},{"type":"go","to_node_id":"b"}"""),
            Node("""{"type":"api_rpc_reply","mode":"key_value","res_data":{"code":"{{code}}"},"res_data_type":{"code":"string"},"throw_exception":true,"exception_reason":"bad {{code}}"},{"type":"go","to_node_id":"f"}""", id: "b"),
            Final, ErrorFinal);
        var process = ImportOne(Process(nodes));
        var copy = Node(process, "a");
        Assert.That(copy.Type, Is.EqualTo("copy_task"));
        Assert.That(copy.Params.ToJsonString(), Is.EqualTo("""{"mode":"modify","conv_id":"@orders","ref":"{{root.ref}}","data":{"n":2,"list":[1,2]}}"""));
        Assert.That(copy.Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "b", ["error"] = "e" }));
        var reply = Node(process, "b");
        Assert.That(reply.Params.ToJsonString(), Is.EqualTo("""{"data":{"code":"{{code}}"},"exception":true,"exception_reason":"bad {{code}}"}"""));
        Assert.That(process.Issues, Is.Empty);
    }

    [Test]
    public void Conv_templates_are_kept_and_reads_of_nodes_of_other_processes_are_reported()
    {
        var node = Node("""{"type":"set_param","extra":{"s":"{{conv[123].ref[{{id}}].status}}","c":"{{node[abc].count}}","own":"{{node[a].total}}"},"extra_type":{"s":"string","c":"number","own":"number"}},{"type":"go","to_node_id":"f"}""");
        var process = ImportOne(Process($"{Start},{node},{Final}"));
        var whats = process.Issues.Where(i => i.NodeId == "a").Select(i => i.What).ToList();
        Assert.That(whats, Has.None.Contains("conv["), "reading a state diagram's task converts as it is");
        Assert.That(Text(Node(process, "a").Params["values"]!["s"]), Is.EqualTo("{{conv[123].ref[{{id}}].status}}"));
        Assert.That(whats, Has.Some.Contains("node[abc]"), "abc is no node of this process");
        Assert.That(whats, Has.None.Contains("node[a]"), "a node of the same process is read as it is");
    }

    [Test]
    public void Api_queue_and_api_get_task_become_a_queue_and_a_get_from_queue_node()
    {
        var queue = Node("""{"type":"api_queue","data":{"key":"val","n":"13003"},"data_type":{"key":"string","n":"number"},"capacity":5000},{"type":"go","to_node_id":"g"}""",
            semaphors: """{"type":"time","value":2,"dimension":"hour","to_node_id":"f"}""");
        var get = Node("""{"type":"api_get_task","conv_id":1652996,"node_id":"680b687682ba963ebb9f9ed5","order_by":"DESC","err_node_id":"e","user_id":68381,"count":5},{"type":"go","to_node_id":"f"}""", id: "g");
        var process = ImportOne(Process($"{Start},{queue},{get},{Final},{ErrorFinal}"));
        var q = Node(process, "a");
        Assert.That(q.Type, Is.EqualTo("queue"));
        Assert.That(q.Params["data"]!.ToJsonString(), Is.EqualTo("""{"key":"val","n":13003}"""));
        Assert.That((q.Exits["next"], q.Exits["timeout"], q.TimeLimit!.Seconds), Is.EqualTo(("g", "f", (double?)7200)), "a time semaphor moves a task nobody took");
        var g = Node(process, "g");
        Assert.That(g.Type, Is.EqualTo("get_from_queue"));
        Assert.That(g.Params.ToJsonString(), Is.EqualTo("""{"conv_id":"1652996","node_id":"680b687682ba963ebb9f9ed5","order_by":"DESC"}"""));
        Assert.That((g.Exits["next"], g.Exits["error"]), Is.EqualTo(("f", "e")));
        Assert.That(process.Issues.Select(i => (i.NodeId, i.What)), Is.EquivalentTo(new[] { ("a", "queue capacity / alert_threshold"), ("g", "count 5") }));
    }

    [Test]
    public void Api_sum_becomes_a_sum_node_and_reports_what_it_leaves_out()
    {
        var node = Node("""{"type":"api_sum","extra":[{"id":"1","name":"orders","value":"1"},{"id":"2","name":"revenue","value":"{{amount}}","reset_interval":"1d","alert_threshold":"1000"},{"id":"3","name":"bad name","value":"1"}]},{"type":"go","to_node_id":"f"}""");
        var process = ImportOne(Process($"{Start},{node},{Final}"));
        var sum = Node(process, "a");
        Assert.That(sum.Type, Is.EqualTo("sum"));
        Assert.That(sum.Params["sums"]!.ToJsonString(), Is.EqualTo("""{"orders":"1","revenue":"{{amount}}"}"""));
        Assert.That(sum.Exits["next"], Is.EqualTo("f"));
        Assert.That(process.Issues.Select(i => i.What), Is.EquivalentTo(new[] { "sum 'revenue' reset_interval 1d", "sum 'revenue' alert_threshold", "sum 'bad name'" }));
    }

    [Test]
    public void Links_to_missing_nodes_and_missing_error_nodes_get_added_finals()
    {
        var node = Node("""{"type":"api","method":"POST","url":"https://example.com/x","extra":{},"extra_type":{}},{"type":"go","to_node_id":"nowhere"}""");
        var process = ImportOne(Process($"{Start},{node}"));
        var api = Node(process, "a");
        Assert.That(api.Exits["next"], Is.EqualTo("missing_nowhere"));
        Assert.That(Node(process, api.Exits["error"]).Type, Is.EqualTo("final"));
        Assert.That(process.Issues.Select(i => i.NodeId), Is.All.EqualTo("a"));
        Assert.That(process.Issues, Has.Count.EqualTo(2));
    }

    [Test]
    public void Processes_without_a_start_are_reported_at_process_level()
    {
        var process = ImportOne(Process(Final, extra: ""","conv_type":"state" """.TrimEnd()));
        Assert.That(process.Issues.Where(i => i.NodeId is null).Select(i => i.What), Is.EqualTo(new[] { "start node" }));
    }

    [Test]
    public void A_state_diagram_keeps_its_kind_and_its_states_become_set_state_nodes()
    {
        var waiting = Node("""{"type":"go_if_const","to_node_id":"b","conditions":[{"param":"status","const":"active","fun":"eq","cast":"string"}]}""",
            semaphors: """{"type":"time","value":30,"dimension":"day","to_node_id":"f"}""");
        var resting = Node("", id: "b");
        var process = ImportOne(Process($"{Start},{waiting},{resting},{Final}", extra: ""","conv_type":"state" """.TrimEnd()));
        Assert.That(process.Definition.Kind, Is.EqualTo("state"));
        var a = Node(process, "a");
        Assert.That(a.Type, Is.EqualTo("set_state"));
        Assert.That(a.Params["rules"]!.ToJsonString(), Is.EqualTo("""[{"exit":"rule1","conditions":[{"param":"status","fun":"eq","const":"active","cast":"string"}]}]"""));
        Assert.That((a.Exits["rule1"], a.Exits["timeout"], a.TimeLimit!.Seconds), Is.EqualTo(("b", "f", (double?)(30 * 86400))));
        var b = Node(process, "b");
        Assert.That((b.Type, b.Params.Count, b.Exits.Count), Is.EqualTo(("set_state", 0, 0)), "a state without logics only keeps its tasks");
        Assert.That(process.Issues, Is.Empty);
    }

    [Test]
    public void Several_actions_in_one_node_become_a_chain_of_nodes()
    {
        var node = Node("""
            {"type":"set_param","extra":{"n":"1"},"extra_type":{"n":"number"},"err_node_id":"e"},
            {"type":"api_code","lang":"js","src":"data.n = data.n + 1;","err_node_id":"e"},
            {"type":"api_copy","mode":"create","conv_id":"77","data":{},"data_type":{},"err_node_id":"e"},
            {"type":"go","to_node_id":"f"}
            """);
        var process = ImportOne(Process($"{Start},{node},{Final},{ErrorFinal}"));
        Assert.That(Node(process, "a").Type, Is.EqualTo("set_param"));
        Assert.That(Node(process, "a").Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "a_2", ["error"] = "e" }));
        Assert.That(Node(process, "a_2").Type, Is.EqualTo("code"));
        Assert.That(Node(process, "a_2").Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "a_3", ["error"] = "e" }));
        Assert.That(Node(process, "a_3").Type, Is.EqualTo("copy_task"));
        Assert.That(Node(process, "a_3").Exits, Is.EquivalentTo(new Dictionary<string, string> { ["next"] = "f", ["error"] = "e" }));
        Assert.That(process.Issues, Is.Empty, "no action is dropped");
    }

    [Test]
    public void Id_zero_or_absent_imports_without_a_conv_id_for_the_server_to_give()
    {
        Assert.That(ImportOne(Process($"{Start},{Node("""{"type":"go","to_node_id":"f"}""")},{Final}").Replace("\"obj_id\":42", "\"obj_id\":0")).Definition.ConvId, Is.Null);
        Assert.That(ImportOne(Process($"{Start},{Node("""{"type":"go","to_node_id":"f"}""")},{Final}").Replace("\"obj_id\":42,", "")).Definition.ConvId, Is.Null);
    }

    [Test]
    public void Taken_and_missing_ids_get_new_ones_and_references_in_the_import_follow()
    {
        // 500 calls 600 by id and 700 by alias; 600 is taken here, 700 has id 0 and a taken alias.
        static string Proc(long id, string alias, string logics) =>
            $$$"""{"obj_type":1,"obj_id":{{{id}}},"title":"P{{{id}}}","alias":"{{{alias}}}","scheme":{"nodes":[{{{Start}}},{{{Node(logics)}}},{{{Final}}},{{{ErrorFinal}}}]}}""";
        var folder = "[{\"obj_type\":0,\"title\":\"folder\",\"list\":[" + string.Join(",",
            Proc(500, "caller", """{"type":"api_rpc","conv_id":600,"extra":{"s":"{{conv[600].ref[r1].status}} {{conv[@rates].ref[x]}}"},"extra_type":{"s":"string"},"err_node_id":"e"},{"type":"api_copy","mode":"create","conv_id":"@rates","data":{},"data_type":{},"err_node_id":"e"},{"type":"go","to_node_id":"f"}"""),
            Proc(600, "callee", """{"type":"api_rpc_reply","mode":"key_value","res_data":{"ok":"1"},"res_data_type":{"ok":"number"}},{"type":"go","to_node_id":"f"}"""),
            Proc(0, "rates", """{"type":"go","to_node_id":"f"}""")) + "]}]";
        var result = CorezoidImporter.Import(folder);
        var changes = ImportIds.Assign(result, [600, 1200], alias => alias == "rates");
        var byTitle = result.Processes.ToDictionary(p => p.Title);
        Assert.That(byTitle["P500"].Definition.ConvId, Is.EqualTo(500), "a free id is kept");
        Assert.That(byTitle["P600"].Definition.ConvId, Is.EqualTo(1201));
        Assert.That(byTitle["P0"].Definition.ConvId, Is.EqualTo(1202));
        Assert.That(byTitle["P0"].Definition.Alias, Is.EqualTo("rates-2"));
        Assert.That(changes.Select(c => (c.OldConvId, c.NewConvId)), Is.EquivalentTo(new (long?, long)[] { (600, 1201), (0, 1202) }));
        var caller = byTitle["P500"].Definition.Nodes;
        Assert.That(caller.Single(n => n.Id == "a").Params["conv_id"]!.GetValue<string>(), Is.EqualTo("1201"));
        Assert.That(caller.Single(n => n.Id == "a").Params["data"]!["s"]!.GetValue<string>(), Is.EqualTo("{{conv[1201].ref[r1].status}} {{conv[@rates-2].ref[x]}}"));
        Assert.That(caller.Single(n => n.Id == "a_2").Params["conv_id"]!.GetValue<string>(), Is.EqualTo("@rates-2"));
        Assert.That(byTitle["P600"].Issues.Select(i => i.What), Has.Some.EqualTo("conv_id"));
        Assert.That(byTitle["P0"].Issues.Select(i => i.What), Has.Some.EqualTo("alias"));
    }

    [Test]
    public void Db_and_git_calls_are_listed_as_not_convertible_and_the_rest_imports()
    {
        var nodes = string.Join(",", Start,
            Node("""{"type":"db_call","instance_id":1,"query":"SELECT 1","err_node_id":"e"},{"type":"go","to_node_id":"b"}"""),
            Node("""{"type":"git_call","repo":"r","err_node_id":"e"},{"type":"go","to_node_id":"c"}""", id: "b"),
            Node("""{"type":"set_param","extra":{"x":"1"},"extra_type":{"x":"string"}},{"type":"go","to_node_id":"f"}""", id: "c"),
            Final, ErrorFinal);
        var process = ImportOne(Process(nodes));
        Assert.That(process.Issues.Where(i => i.NotConvertible).Select(i => i.NodeId), Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(Node(process, "c").Params["values"]!.ToJsonString(), Is.EqualTo("""{"x":"1"}"""));
    }

    // ------------------------------------------------------------ graph integrity

    /// <summary>Every exit leads to an existing node, and every exit a node type requires is there.</summary>
    static void AssertGraphIntegrity(ProcessDefinition definition)
    {
        var ids = definition.Nodes.Select(n => n.Id).ToHashSet();
        Assert.Multiple(() =>
        {
            foreach (var node in definition.Nodes)
            {
                Assert.That(Types.ContainsKey(node.Type), Is.True, $"node {node.Id}: unknown type {node.Type}");
                foreach (var (exit, target) in node.Exits)
                    Assert.That(ids, Does.Contain(target), $"node {node.Id} exit {exit}");
                if (Types.TryGetValue(node.Type, out var type))
                    foreach (var required in type.ExitsOf(node).Where(e => e.Required))
                        Assert.That(node.Exits.ContainsKey(required.Name), Is.True, $"node {node.Id} ({node.Type}) lacks exit {required.Name}");
            }
        });
    }
}

/// <summary>The real Corezoid exports in ../shared/corezoid/, read at run time (never copied into the repository).</summary>
static class CorezoidSamples
{
    public static string Folder()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Workflows.sln"))) dir = dir.Parent;
        if (dir is null) Assert.Ignore("Corezoid samples: no folder with Workflows.sln above the test directory.");
        var folder = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "corezoid"));
        if (!Directory.Exists(folder)) Assert.Ignore($"Corezoid samples not found at {folder}; these tests need ../shared/corezoid/ next to the repository.");
        return folder;
    }

    public static string Read(string file)
    {
        var path = Path.Combine(Folder(), file);
        if (!File.Exists(path)) Assert.Ignore($"Corezoid sample {path} is missing.");
        return File.ReadAllText(path);
    }
}
