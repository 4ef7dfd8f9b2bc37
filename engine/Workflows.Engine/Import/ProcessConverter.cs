using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;

namespace Workflows.Engine.Import;

/// <summary>Converts one Corezoid process object; see docs/corezoid-import.md for the mapping.</summary>
sealed partial class ProcessConverter(JsonObject process)
{
    /// <summary>A Corezoid node as read from the export.</summary>
    sealed record CzNode(
        string Id, int ObjType, string? Title, string? Description, double X, double Y,
        JsonObject? Extra, List<JsonObject> Logics, List<JsonObject> Semaphors);

    readonly List<NodeDefinition> _nodes = [];
    readonly List<ImportIssue> _issues = [];
    readonly Dictionary<string, CzNode> _source = new(StringComparer.Ordinal);
    /// <summary>Every id in use: the Corezoid ones and those of nodes added by the import.</summary>
    readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    bool _state;

    static readonly string[] OurMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    static readonly string[] OurCasts = ["string", "number", "boolean"];


    public ImportedProcess Convert()
    {
        var objId = Cz.Long(process["obj_id"]);
        var title = Cz.Text(process["title"]) ?? "";
        var definition = new ProcessDefinition
        {
            // 0 or absent: a new process, as Corezoid's own tools write it; the import gives it an id.
            ConvId = objId is > 0 ? objId : null,
            Title = string.IsNullOrWhiteSpace(title) ? objId is null ? "Imported process" : $"Process {objId}" : title,
            Description = NullIfEmpty(Cz.Text(process["description"])),
            Status = Cz.Text(process["status"]) switch
            {
                null => null,
                "active" => Runtime.ProcessStatuses.Active,   // Corezoid's word on the left, ours on the right
                _ => Runtime.ProcessStatuses.Paused,
            },
        };
        if (Cz.Text(process["alias"]) is { Length: > 0 } alias) definition.Alias = alias.TrimStart('@');
        definition.Params = ReadParams();
        // A state diagram: its tasks stay in their states (set_state nodes), kept by ref.
        _state = Cz.Text(process["conv_type"]) == "state";
        if (_state) definition.Kind = ProcessKinds.State;

        ReadNodes();
        foreach (var node in _source.Values) ConvertNode(node);

        var starts = _nodes.Count(n => n.Type == "start");
        if (starts == 0) Issue(null, "start node", "the process has no start node (obj_type 1); add one before activating it");
        else if (starts > 1) Issue(null, "start node", $"the process has {starts} start nodes; ours allows exactly one");

        definition.Nodes = _nodes;
        var imported = new ImportedProcess { CorezoidObjId = objId, Title = title, Definition = definition };
        imported.Issues.AddRange(_issues);
        imported.Issues.AddRange(ImportValidation.Check(definition, _source.ToDictionary(kv => kv.Key, kv => kv.Value.Title)));
        return imported;
    }

    /// <summary>Corezoid's params: name, type, descr, flags (required, input, output); null when there are none.</summary>
    List<ProcessParameter>? ReadParams()
    {
        if (process["params"] is not JsonArray list || list.Count == 0) return null;
        var result = new List<ProcessParameter>();
        foreach (var item in list.OfType<JsonObject>())
        {
            if (Cz.Text(item["name"]) is not { Length: > 0 } name || result.Any(p => p.Name == name)) continue;
            var flags = (item["flags"] as JsonArray)?.Select(Cz.Text).ToHashSet() ?? [];
            var type = Cz.Text(item["type"]) ?? "string";
            if (!ProcessParameter.Types.Contains(type))
            {
                Issue(null, $"parameter '{name}' of type '{type}'", "not string, number, boolean, object or array; kept as string");
                type = "string";
            }
            if (!string.IsNullOrEmpty(Cz.Text(item["regex"])))
                Issue(null, $"parameter '{name}' regex", "a parameter's regular expression is not checked here; left out");
            result.Add(new ProcessParameter
            {
                Name = name, Type = type, Description = NullIfEmpty(Cz.Text(item["descr"]) ?? Cz.Text(item["description"])),
                Required = flags.Contains("required"), Input = flags.Contains("input"), Output = flags.Contains("output"),
            });
        }
        return result.Count == 0 ? null : result;
    }

    void ReadNodes()
    {
        var list = (JsonArray)process["scheme"]!["nodes"]!;
        var index = 0;
        foreach (var item in list)
        {
            index++;
            if (item is not JsonObject n || Cz.Text(n["id"]) is not { Length: > 0 } id)
            {
                Issue(null, $"scheme.nodes[{index - 1}]", "not a node object with an id; skipped");
                continue;
            }
            if (!_ids.Add(id))
            {
                Issue(id, Cz.Text(n["title"]), "duplicate node id", "a second node with this id was skipped");
                continue;
            }
            var condition = Cz.Object(n["condition"]);
            var logics = (condition?["logics"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            var semaphors = (condition?["semaphors"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            _source[id] = new CzNode(id, (int)(Cz.Long(n["obj_type"]) ?? 0), NullIfEmpty(Cz.Text(n["title"])),
                NullIfEmpty(Cz.Text(n["description"])), Cz.Double(n["x"]), Cz.Double(n["y"]),
                Cz.Object(n["extra"]), logics, semaphors);
        }
    }

    // ---------------------------------------------------------------- nodes

    void ConvertNode(CzNode n)
    {
        ScanTemplates(n);
        switch (n.ObjType)
        {
            case 1:
                ConvertStart(n);
                break;
            case 2:
                var node = Ours(n, "final");
                node.Params["result"] = Cz.Text(n.Extra?["icon"]) == "error" ? "error" : "success";
                if (n.Logics.Count > 0 || n.Semaphors.Count > 0)
                    Issue(n, "logics of a final node", "a final node ends the task; its logics and semaphors were left out");
                _nodes.Add(node);
                break;
            default:
                ConvertLogicNode(n);
                break;
        }
    }

    void ConvertStart(CzNode n)
    {
        var flow = Flow.Of(n.Logics);
        var node = Ours(n, "start");
        if (flow.Actions.Count > 0)
            Issue(n, $"{string.Join(", ", flow.Actions.Select(TypeOf))} on the start node", "our start node has no action; left out");
        ReportSemaphors(n, usedTime: null);
        node.Exits[Exits.Next] = Continue(n, flow);
        _nodes.Add(node);
    }

    void ConvertLogicNode(CzNode n)
    {
        var flow = Flow.Of(n.Logics);
        foreach (var ignored in flow.AfterGo)
            Issue(n, $"{TypeOf(ignored)} after the go", "Corezoid never runs logics after a plain go; left out");
        var times = n.Semaphors.Where(s => Cz.Text(s["type"]) == "time").ToList();

        if (flow.Actions.Count == 0)
        {
            if (_state && flow.Go is null)
            {
                // A state of a state diagram: the task stays until its data meets a branch (Corezoid's Set State).
                var state = Ours(n, "set_state");
                if (flow.Branches.Count > 0) state.Params["rules"] = Rules(n, flow, state);
                if (times.Count > 0)
                {
                    var (seconds, until) = Seconds(n, times[0]);
                    state.TimeLimit = new TimeLimitDefinition { Seconds = seconds, Until = until };
                    state.Exits[Exits.Timeout] = Target(n, Cz.Text(times[0]["to_node_id"]));
                }
                ReportSemaphors(n, times.FirstOrDefault());
                _nodes.Add(state);
            }
            else if (flow.Branches.Count > 0)
            {
                ReportSemaphors(n, usedTime: null);
                _nodes.Add(Condition(n, n.Id, flow));
            }
            else if (flow.Go is not null)
            {
                // Only a go: we have no pass-through node, an empty set_param does nothing and moves on.
                ReportSemaphors(n, usedTime: null);
                var pass = Ours(n, "set_param");
                pass.Params["values"] = new JsonObject();
                pass.Exits[Exits.Next] = Target(n, flow.Go);
                _nodes.Add(pass);
            }
            else if (times.Count > 0) ConvertDelay(n, times[0]);
            else
            {
                ReportSemaphors(n, usedTime: null);
                Issue(n, "node without logics", "tasks stay in such a node in Corezoid (a queue); imported as a final node (success)");
                var end = Ours(n, "final");
                end.Params["result"] = "success";
                _nodes.Add(end);
            }
            return;
        }

        // Several actions in one node run one after the other in Corezoid: they become a chain of
        // nodes, the first keeps the Corezoid id, the others are <id>_2, <id>_3 …
        var chain = new List<NodeDefinition>();
        JsonObject? usedTime = null;
        for (var i = 0; i < flow.Actions.Count; i++)
        {
            var action = flow.Actions[i];
            var ours = Ours(n, "set_param");
            if (i > 0)
            {
                ours.Id = NewId($"{n.Id}_{i + 1}");
                ours.Title = $"{n.Title ?? TypeOf(action)} ({i + 1})";
                ours.Description = $"Action {i + 1} of Corezoid node {n.Id}.";
                ours.Y = n.Y + 80 * i;
                chain[^1].Exits[Exits.Next] = ours.Id;
            }
            var time = usedTime is null ? times.FirstOrDefault() : null;
            JsonObject? used = null;
            switch (TypeOf(action))
            {
                case "api_code": ConvertCode(n, action, ours); break;
                case "api": ConvertApi(n, action, ours); break;
                case "set_param": ConvertSetParam(n, action, ours); break;
                case "api_copy": ConvertCopy(n, action, ours); break;
                case "api_rpc": used = ConvertRpc(n, action, ours, time); break;
                case "api_rpc_reply": ConvertReply(n, action, ours); break;
                case "api_callback": used = ConvertCallback(n, action, ours, time); break;
                case "api_sum": ConvertSum(n, action, ours); break;
                case "api_queue": ConvertQueue(n, action, ours); break;
                case "api_get_task": ConvertGetTask(n, action, ours); break;
                default: ConvertUnsupported(n, action, ours, TypeOf(action)); break;
            }
            usedTime ??= used;
            chain.Add(ours);
        }
        if (usedTime is null && times.Count > 0)
        {
            // A time semaphor on an action node: a time limit on each node of the chain, to the semaphor's node.
            usedTime = times[0];
            var (seconds, until) = Seconds(n, usedTime);
            var target = Target(n, Cz.Text(usedTime["to_node_id"]));
            foreach (var node in chain.Where(c => !c.Exits.ContainsKey(Exits.Timeout)))
            {
                node.TimeLimit = new TimeLimitDefinition { Seconds = seconds, Until = until };
                node.Exits[Exits.Timeout] = target;
            }
        }
        ReportSemaphors(n, usedTime);
        chain[^1].Exits[Exits.Next] = Continue(n, flow);
        _nodes.AddRange(chain);
    }

    /// <summary>Where a node goes after its action: its go, or a condition node for its go_if_const branches.</summary>
    string Continue(CzNode n, Flow flow)
    {
        if (flow.Branches.Count == 0)
            return flow.Go is null ? Stop(n, "end", "success", "no go after the action", "tasks stay in this node in Corezoid; they now end at an added final node") : Target(n, flow.Go);
        var id = NewId(n.Id + "_if");
        var condition = Condition(n, id, flow);
        condition.Title = n.Title is null ? "Conditions" : $"{n.Title}: conditions";
        condition.Description = $"The go_if_const conditions of Corezoid node {n.Id}.";
        condition.Y = n.Y + 80;
        _nodes.Add(condition);
        return id;
    }

    NodeDefinition Condition(CzNode n, string id, Flow flow)
    {
        var node = Ours(n, "condition");
        node.Id = id;
        node.Params["rules"] = Rules(n, flow, node);
        node.Exits[Exits.Default] = flow.Go is null
            ? Stop(n, "end", "success", "no go after the conditions", "tasks no condition matches stay in this node in Corezoid; they now end at an added final node")
            : Target(n, flow.Go);
        return node;
    }

    /// <summary>The go_if_const branches as rules rule1, rule2, …, each exit led to its branch's node.</summary>
    JsonArray Rules(CzNode n, Flow flow, NodeDefinition node)
    {
        var rules = new JsonArray();
        var number = 0;
        foreach (var branch in flow.Branches)
        {
            number++;
            var exit = $"rule{number}";
            var rule = new JsonObject { ["exit"] = exit };
            var conditions = new JsonArray();
            foreach (var c in Flow.ConditionsOf(branch)) conditions.Add(ConvertCondition(n, c));
            if (conditions.Count == 0) rule["js"] = "true";
            else rule["conditions"] = conditions;
            rules.Add(rule);
            node.Exits[exit] = Target(n, Cz.Text(branch["to_node_id"]));
        }
        return rules;
    }

    JsonObject ConvertCondition(CzNode n, JsonObject c)
    {
        var param = Cz.Text(c["param"]) ?? "";
        var fun = Cz.Text(c["fun"]) ?? "eq";
        var cast = Cz.Text(c["cast"]) ?? "string";
        if (!ConditionFunctions.IsKnown(fun)) Issue(n, $"condition function '{fun}'", $"not one of ours ({string.Join(", ", ConditionFunctions.Names)}); kept, fix it in the designer");
        if (!OurCasts.Contains(cast))
        {
            Issue(n, $"condition cast '{cast}' on '{param}'", "we compare as string, number or boolean; the condition now compares the value's JSON text as a string");
            cast = "string";
        }
        return new JsonObject
        {
            ["param"] = param,
            ["fun"] = fun,
            ["const"] = Cz.Text(c["const"]) ?? (c["const"] is null ? "" : c["const"]!.ToJsonString()),
            ["cast"] = cast,
        };
    }

    // ---------------------------------------------------------------- actions

    void ConvertCode(CzNode n, JsonObject l, NodeDefinition node)
    {
        node.Type = "code";
        var lang = (Cz.Text(l["lang"]) ?? "js").Trim().ToLowerInvariant();
        var src = Cz.Text(l["src"]) ?? Cz.Text(l["code"]) ?? "";
        if (lang is "js" or "javascript" or "")
            node.Params["src"] = src;
        else
        {
            var language = lang == "erl" ? "Erlang" : lang;
            Issue(n, $"{language} code", "only JavaScript code converts; the node now throws an error until its code is rewritten in JavaScript");
            var sb = new StringBuilder();
            sb.Append("// Imported from Corezoid: this node's code is ").Append(language).Append(" and must be rewritten in JavaScript.\n");
            sb.Append("// The original code:\n");
            foreach (var line in src.Split('\n')) sb.Append("//   ").Append(line.TrimEnd('\r')).Append('\n');
            sb.Append("throw new Error('not converted: ").Append(language).Append(" code');\n");
            node.Params["src"] = sb.ToString();
        }
        node.Exits[Exits.Error] = ErrorTarget(n, l);
    }

    void ConvertApi(CzNode n, JsonObject l, NodeDefinition node)
    {
        node.Type = "api";
        var p = node.Params;
        var method = (Cz.Text(l["method"]) ?? "POST").Trim().ToUpperInvariant();
        if (!OurMethods.Contains(method))
        {
            Issue(n, $"HTTP method {method}", "not supported (GET, POST, PUT, PATCH, DELETE); imported as GET");
            method = "GET";
        }
        p["method"] = method;
        var url = Cz.Text(l["url"]);
        if (string.IsNullOrWhiteSpace(url)) Issue(n, "API URL", "the node has no URL; fill it in");
        p["url"] = url ?? "";

        var headers = new JsonObject();
        if (l["extra_headers"] is JsonObject hs)
            foreach (var (key, value) in hs)
            {
                // HTTP header names ignore letter case; the engine takes each header once (docs/process-format.md).
                var text = Templates.Template.AsText(value);
                if (headers.FirstOrDefault(h => h.Key.Equals(key, StringComparison.OrdinalIgnoreCase)) is { Key: { } kept })
                    Issue(n, $"header '{key}: {text}'", $"the header is also given as '{kept}'; header names ignore letter case, so the first ('{kept}: {Cz.Text(headers[kept])}') was kept");
                else headers[key] = text;
            }

        var format = Cz.Text(l["format"]) ?? "";
        var contentType = Cz.Text(l["content_type"]) ?? "";
        if (format == "raw")
        {
            p["body_type"] = "raw";
            p["body"] = Cz.Text(l["raw_body"]) ?? "";
            // Our raw body goes out as text/plain unless a header says otherwise: keep Corezoid's content type.
            if (contentType.Length > 0 && !headers.Any(h => h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase)))
                headers["Content-Type"] = contentType;
        }
        else
        {
            var body = Typed(n, l["extra"] as JsonObject, l["extra_type"] as JsonObject, "api body");
            if (contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) p["body_type"] = "form";
            else
            {
                if (contentType.Length > 0 && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
                    Issue(n, $"content type {contentType}", "we send parameters as JSON or as a form; imported as JSON");
                p["body_type"] = "json";
            }
            if (body.Count > 0)
            {
                p["body"] = body;
                if (method is "GET" or "DELETE")
                    Issue(n, $"{method} parameters", "Corezoid sends them in the query string; our API node sends no body with " + method + ": add them to the URL");
            }
        }
        if (headers.Count > 0) p["headers"] = headers;

        if (Cz.Bool(l["customize_response"]) && l["response"] is JsonObject response && response.Count > 0)
        {
            var bodyKeys = response.Where(kv => IsInsert(kv.Value, "body")).Select(kv => kv.Key).ToList();
            var headerKeys = response.Where(kv => IsInsert(kv.Value, "header")).Select(kv => kv.Key).ToList();
            var others = response.Count - bodyKeys.Count - headerKeys.Count;
            if (bodyKeys.Count == 1 && others == 0)
            {
                p["response_key"] = bodyKeys[0];
                if (headerKeys.Count > 0)
                    Issue(n, $"response header mapping ({string.Join(", ", headerKeys)})", "our API node does not keep response headers; left out");
            }
            else
                Issue(n, "custom response mapping", $"only {{\"key\": \"{{{{body}}}}\"}} converts; mapping {response.ToJsonString()} left out, the answer is merged into the task data");
        }
        foreach (var field in new[] { "cert_pem", "api_secret_outer" })
            if (!string.IsNullOrWhiteSpace(Cz.Text(l[field])))
                Issue(n, field, "client certificates and signed requests are not supported; left out");
        node.Exits[Exits.Error] = ErrorTarget(n, l);
    }

    static bool IsInsert(JsonNode? value, string name) =>
        Cz.Text(value)?.Replace(" ", "", StringComparison.Ordinal) == "{{" + name + "}}";

    void ConvertSetParam(CzNode n, JsonObject l, NodeDefinition node)
    {
        node.Type = "set_param";
        node.Params["values"] = Typed(n, l["extra"] as JsonObject, l["extra_type"] as JsonObject, "set_param value");
        if (Cz.Text(l["err_node_id"]) is { Length: > 0 } err) node.Exits[Exits.Error] = Target(n, err);
    }

    void ConvertCopy(CzNode n, JsonObject l, NodeDefinition node)
    {
        node.Type = "copy_task";
        var p = node.Params;
        var mode = Cz.Text(l["mode"]) ?? "create";
        if (mode is not ("create" or "modify"))
        {
            Issue(n, $"copy task mode '{mode}'", "not create or modify; imported as create");
            mode = "create";
        }
        p["mode"] = mode;
        p["conv_id"] = ProcessRef(n, l);
        if (Cz.Text(l["ref"]) is { Length: > 0 } reference) p["ref"] = reference;
        else if (mode == "modify") Issue(n, "modify task without ref", "a task to modify is found by its ref; fill it in");
        var data = Typed(n, l["data"] as JsonObject, l["data_type"] as JsonObject, "copy task data");
        if (data.Count > 0) p["data"] = data;
        if (Cz.Bool(l["send_parent_data"])) Issue(n, "send_parent_data", "sending the parent's data is not supported; left out");
        node.Exits[Exits.Error] = ErrorTarget(n, l);
    }

    JsonObject? ConvertRpc(CzNode n, JsonObject l, NodeDefinition node, JsonObject? time)
    {
        node.Type = "call_process";
        var p = node.Params;
        p["conv_id"] = ProcessRef(n, l);
        var data = Typed(n, l["extra"] as JsonObject, l["extra_type"] as JsonObject, "call process data");
        if (data.Count > 0) p["data"] = data;
        var error = ErrorTarget(n, l);
        node.Exits[Exits.Error] = error;
        if (time is not null && Seconds(n, time) is { Seconds: { } seconds })
        {
            p["timeout_seconds"] = seconds;
            node.Exits[Exits.Timeout] = Target(n, Cz.Text(time["to_node_id"]));
            return time;
        }
        // Corezoid sends an RPC that gets no answer to the error node.
        node.Exits[Exits.Timeout] = error;
        return null;
    }

    void ConvertReply(CzNode n, JsonObject l, NodeDefinition node)
    {
        node.Type = "reply";
        var p = node.Params;
        var data = l["res_data"] is JsonObject { Count: > 0 } res
            ? Typed(n, res, l["res_data_type"] as JsonObject, "reply data")
            : Typed(n, l["extra"] as JsonObject, l["extra_type"] as JsonObject, "reply data");
        if (data.Count > 0) p["data"] = data;
        if (Cz.Bool(l["throw_exception"])) p["exception"] = true;
        if (Cz.Text(l["exception_reason"]) is { Length: > 0 } reason) p["exception_reason"] = reason;
        if (Cz.Text(l["err_node_id"]) is { Length: > 0 } err) node.Exits[Exits.Error] = Target(n, err);
    }

    JsonObject? ConvertCallback(CzNode n, JsonObject l, NodeDefinition node, JsonObject? time)
    {
        node.Type = "wait_callback";
        var p = node.Params;
        if (Cz.Text(l["obj_id_path"]) is { Length: > 0 } path) p["task_id_path"] = path.Trim().TrimStart('{').TrimEnd('}').Trim();
        if (l["is_sync"] is not null && !Cz.Bool(l["is_sync"])) p["is_sync"] = false;
        if (time is not null && Seconds(n, time) is { Seconds: { } seconds })
        {
            p["timeout_seconds"] = seconds;
            node.Exits[Exits.Timeout] = Target(n, Cz.Text(time["to_node_id"]));
            return time;
        }
        if (Cz.Long(l["timeout"]) is { } timeout && Cz.Text(l["err_node_id"]) is { Length: > 0 } err)
        {
            p["timeout_seconds"] = (double)timeout;
            node.Exits[Exits.Timeout] = Target(n, err);
            return null;
        }
        p["timeout_seconds"] = 365.0 * 86400;
        node.Exits[Exits.Timeout] = Stop(n, "timeout", "error", "callback without a time limit",
            "Corezoid waits forever; ours waits at most 365 days, then goes to an added final node (error)");
        return null;
    }

    void ConvertSum(CzNode n, JsonObject l, NodeDefinition node)
    {
        node.Type = "sum";
        var sums = new JsonObject();
        foreach (var item in (l["extra"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var name = Cz.Text(item["name"]) ?? "";
            if (!SumNode.IsName(name) || sums.ContainsKey(name))
            {
                Issue(n, $"sum '{name}'", "a sum's name is letters, digits, '_' or '-' and unique in its node; left out");
                continue;
            }
            sums[name] = Cz.Text(item["value"]) ?? "0";
            if (!string.IsNullOrEmpty(Cz.Text(item["reset_interval"])))
                Issue(n, $"sum '{name}' reset_interval {Cz.Text(item["reset_interval"])}", "sums are not reset on a schedule here; left out (the sum keeps growing)");
            if (!string.IsNullOrEmpty(Cz.Text(item["alert_threshold"])))
                Issue(n, $"sum '{name}' alert_threshold", "alerts on a sum are not supported; left out");
        }
        if (sums.Count == 0)
        {
            Issue(n, "sum without sums", "the api_sum logic names no sum; the node adds nothing");
            sums["count"] = "0";
        }
        node.Params["sums"] = sums;
        if (Cz.Text(l["err_node_id"]) is { Length: > 0 } err) node.Exits[Exits.Error] = Target(n, err);
    }

    void ConvertQueue(CzNode n, JsonObject l, NodeDefinition node)
    {
        node.Type = "queue";
        var data = Typed(n, l["data"] as JsonObject, l["data_type"] as JsonObject, "queue data");
        if (data.Count > 0) node.Params["data"] = data;
        if (l["capacity"] is not null || l["alert_threshold"] is not null)
            Issue(n, "queue capacity / alert_threshold", "a queue here has no capacity limit and sends no alerts; left out (a count limit on the node can escalate)");
    }

    void ConvertGetTask(CzNode n, JsonObject l, NodeDefinition node)
    {
        node.Type = "get_from_queue";
        var p = node.Params;
        p["conv_id"] = ProcessRef(n, l);
        if ((Cz.Text(l["node_id"]) ?? Cz.Text(l["queue_node_id"])) is { Length: > 0 } queue) p["node_id"] = queue;
        else
        {
            Issue(n, "get from queue without a queue node", "the logic names no node_id; fill it in");
            p["node_id"] = "unknown";
        }
        var order = (Cz.Text(l["order_by"]) ?? "ASC").ToUpperInvariant();
        if (order is not ("ASC" or "DESC")) Issue(n, $"order_by '{order}'", "not ASC or DESC; ASC (the oldest task) used");
        p["order_by"] = order == "DESC" ? "DESC" : "ASC";
        if (Cz.Long(l["count"]) is > 1)
            Issue(n, $"count {Cz.Long(l["count"])}", "a get-from-queue step takes one task here; put the node in a loop to take more");
        node.Exits[Exits.Error] = ErrorTarget(n, l);
    }

    void ConvertUnsupported(CzNode n, JsonObject l, NodeDefinition node, string type)
    {
        var what = type switch
        {
            "db_call" => "database call",
            "git_call" or "api_git" => "Git call (code from a repository)",
            "api_form" => "form",
            _ => "unknown logic",
        };
        _issues.Add(new ImportIssue(n.Id, n.Title, $"{type} ({what})", "not convertible: no equivalent node type; the node was replaced by a set_param that does nothing, so the graph stays connected") { NotConvertible = true });
        node.Type = "set_param";
        node.Params["values"] = new JsonObject();
        node.Description = $"Imported from Corezoid: a {type} ({what}) node that was not converted; rebuild its action." +
            (node.Description is null ? "" : " " + node.Description);
        if (Cz.Text(l["err_node_id"]) is { Length: > 0 } err) node.Exits[Exits.Error] = Target(n, err);
    }

    void ConvertDelay(CzNode n, JsonObject time)
    {
        var node = Ours(n, "delay");
        var (seconds, until) = Seconds(n, time);
        if (until is not null) node.Params["until"] = until;
        else node.Params["seconds"] = seconds ?? 30.0;
        if (seconds is < 1 or > ParamSpec.MaxWaitSeconds)
            Issue(n, $"delay of {seconds} seconds", $"we delay from 1 to {ParamSpec.MaxWaitSeconds} seconds (365 days); adjust it");
        node.Exits[Exits.Next] = Target(n, Cz.Text(time["to_node_id"]));
        ReportSemaphors(n, time);
        _nodes.Add(node);
    }

    /// <summary>A time semaphor's length in seconds, or the template of an absolute unix time.</summary>
    (double? Seconds, string? Until) Seconds(CzNode n, JsonObject time)
    {
        var text = Cz.Text(time["value"])?.Trim() ?? "";
        if (text.Contains("{{", StringComparison.Ordinal)) return (null, text);
        var dimension = Cz.Text(time["dimension"]) ?? "sec";
        double factor = dimension switch { "sec" => 1, "min" => 60, "hour" => 3600, "day" => 86400, _ => 0 };
        if (factor == 0)
        {
            Issue(n, $"time unit '{dimension}'", "not sec, min, hour or day; read as seconds");
            factor = 1;
        }
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            Issue(n, $"time value '{text}'", "not a number or a {{param}}; 30 seconds used");
            value = 30;
            factor = 1;
        }
        return (value * factor, null);
    }

    /// <summary>Semaphors the conversion did not use: count ones always, time ones on nodes without an action.</summary>
    void ReportSemaphors(CzNode n, JsonObject? usedTime)
    {
        foreach (var s in n.Semaphors)
        {
            if (ReferenceEquals(s, usedTime)) continue;
            var type = Cz.Text(s["type"]);
            if (type == "count")
                Issue(n, $"count semaphor (limit {Cz.Text(s["value"])}, escalation to node {Cz.Text(s["esc_node_id"])})",
                    "limits on the number of tasks in a node are not supported yet; left out");
            else if (type == "time")
                Issue(n, $"time semaphor ({Cz.Text(s["value"])} {Cz.Text(s["dimension"]) ?? "sec"} to node {Cz.Text(s["to_node_id"])})",
                    "a node without an action keeps no task for long here (a second time semaphor is not kept either); the time limit was left out");
            else
                Issue(n, $"semaphor '{type}'", "unknown; left out");
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>conv_id (a number, @alias or {{param}}) of a copy-task or process-call logic.</summary>
    JsonValue ProcessRef(CzNode n, JsonObject l)
    {
        var value = l["conv_id"] ?? l["obj_to_id"];
        // Our conv_id is a template (text): a number is written as its digits.
        if (Cz.Long(value) is { } id) return JsonValue.Create(id.ToString(CultureInfo.InvariantCulture));
        if (Cz.Text(value) is { Length: > 0 } text) return JsonValue.Create(text);
        Issue(n, "target process", "the logic names no process (conv_id); fill it in");
        return JsonValue.Create("@unknown");
    }

    /// <summary>
    /// Corezoid's value/type pairs to our JSON values: number and boolean constants become JSON
    /// numbers and booleans, object and array values (stringified JSON) are parsed; templates stay text.
    /// </summary>
    JsonObject Typed(CzNode n, JsonObject? values, JsonObject? types, string what)
    {
        var result = new JsonObject();
        if (values is null) return result;
        foreach (var (key, value) in values)
        {
            var type = Cz.Text(types?[key]) ?? "string";
            if (value is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                result[key] = value?.DeepClone();
                continue;
            }
            var text = v.GetValue<string>();
            var trimmed = text.Trim();
            var isTemplate = trimmed.Contains("{{", StringComparison.Ordinal) || trimmed.StartsWith("$.", StringComparison.Ordinal);
            switch (type)
            {
                case "number" when !isTemplate:
                    // Parsed as JSON, the number keeps its exact text and reads back as any numeric type.
                    if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && LenientJson.TryParse(trimmed) is JsonValue number)
                        result[key] = number;
                    else
                    {
                        Issue(n, $"{what} '{key}'", $"typed number but '{text}' is not a number; kept as text");
                        result[key] = text;
                    }
                    break;
                case "boolean" when !isTemplate && trimmed.ToLowerInvariant() is "true" or "false":
                    result[key] = trimmed.Equals("true", StringComparison.OrdinalIgnoreCase);
                    break;
                case "object" or "array" when !(trimmed.StartsWith("{{", StringComparison.Ordinal) && trimmed.EndsWith("}}", StringComparison.Ordinal)):
                    if (LenientJson.TryParse(trimmed) is { } parsed && (parsed is JsonObject || parsed is JsonArray))
                        result[key] = parsed;
                    else
                    {
                        if (!isTemplate) Issue(n, $"{what} '{key}'", $"typed {type} but not JSON; kept as text");
                        result[key] = text;
                    }
                    break;
                default:
                    result[key] = text;
                    break;
            }
        }
        return result;
    }

    string ErrorTarget(CzNode n, JsonObject logic) =>
        Cz.Text(logic["err_node_id"]) is { Length: > 0 } err
            ? Target(n, err)
            : Stop(n, "error", "error", "no error node", "errors leave the task in this node in Corezoid; they now end it at an added final node (error)");

    /// <summary>The node an exit leads to; a link to a node missing from the export goes to an added final node.</summary>
    string Target(CzNode n, string? id)
    {
        if (id is not null && _source.ContainsKey(id)) return id;
        var missing = "missing_" + (string.IsNullOrEmpty(id) ? n.Id : id);
        if (_nodes.Any(x => x.Id == missing)) return missing;
        Issue(n, $"link to node {id ?? "(none)"}", $"that node is not in the export; the link now goes to an added final node {missing} (error)");
        _ids.Add(missing);
        _nodes.Add(new NodeDefinition
        {
            Id = missing, Type = "final", Title = "Missing node", X = n.X + 200, Y = n.Y,
            Description = $"Added by the Corezoid import: node {id} is not in the export.",
            Params = new JsonObject { ["result"] = "error" },
        });
        return missing;
    }

    /// <summary>Adds a final node for an exit Corezoid leaves open, and reports it.</summary>
    string Stop(CzNode n, string suffix, string result, string what, string why)
    {
        var id = NewId($"{n.Id}_{suffix}");
        Issue(n, what, why.Replace("an added final node", $"an added final node {id}", StringComparison.Ordinal));
        _nodes.Add(new NodeDefinition
        {
            Id = id, Type = "final", Title = result == "error" ? "Error" : "End", X = n.X + 200, Y = n.Y + 80,
            Description = $"Added by the Corezoid import for node {n.Id}: {what}.",
            Params = new JsonObject { ["result"] = result },
        });
        return id;
    }

    string NewId(string wanted)
    {
        var id = wanted;
        for (var i = 2; !_ids.Add(id); i++) id = $"{wanted}{i}";
        return id;
    }

    static NodeDefinition Ours(CzNode n, string type) => new()
    {
        Id = n.Id,
        Type = type,
        Title = n.Title,
        Description = n.ObjType == 3
            ? "Escalation node in Corezoid (handles errors of other nodes)." + (n.Description is null ? "" : " " + n.Description)
            : n.Description,
        X = n.X,
        Y = n.Y,
    };

    static string TypeOf(JsonObject logic) => Cz.Text(logic["type"]) ?? "(no type)";

    static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    [GeneratedRegex(@"\{\{\s*node\s*\[\s*([^\]\s]*)\s*\]", RegexOptions.CultureInvariant)]
    private static partial Regex NodeRead();

    /// <summary>Reports templates that read nodes of other processes.</summary>
    void ScanTemplates(CzNode n)
    {
        var texts = n.Logics.Concat(n.Semaphors).SelectMany(Strings).ToList();
        // {{node[ID].name}} reads a node of the same process here (Corezoid's node ids are global).
        foreach (var id in texts.SelectMany(t => NodeRead().Matches(t)).Select(m => m.Groups[1].Value).Distinct())
            if (!_ids.Contains(id))
                Issue(n, $"{{{{node[{id}]...}}}}", "names a node that is not in this process; it reads nothing here");
    }

    static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(kv => Strings(kv.Value)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when Cz.Text(v) is { } s => [s],
        _ => [],
    };

    void Issue(CzNode? n, string what, string why) => _issues.Add(new ImportIssue(n?.Id, n?.Title, what, why));

    void Issue(string? nodeId, string? title, string what, string why) => _issues.Add(new ImportIssue(nodeId, title, what, why));

    /// <summary>A node's logics split into its actions, its go_if_const branches and its final go.</summary>
    sealed record Flow(List<JsonObject> Actions, List<JsonObject> Branches, string? Go, List<JsonObject> AfterGo)
    {
        public static Flow Of(List<JsonObject> logics)
        {
            var actions = new List<JsonObject>();
            var branches = new List<JsonObject>();
            var after = new List<JsonObject>();
            string? go = null;
            foreach (var l in logics)
            {
                var type = TypeOf(l);
                if (go is not null) { if (type != "go") after.Add(l); continue; }
                if (type == "go") go = Cz.Text(l["to_node_id"]) ?? "";
                else if (type == "go_if_const") branches.Add(l);
                else actions.Add(l);
            }
            return new Flow(actions, branches, go, after);
        }

        /// <summary>A branch's conditions: its conditions array, or the legacy flat form's single condition.</summary>
        public static IEnumerable<JsonObject> ConditionsOf(JsonObject branch)
        {
            if (branch["conditions"] is JsonArray list) return list.OfType<JsonObject>();
            if (branch["param"] is not null) return [branch];
            return [];
        }
    }
}
