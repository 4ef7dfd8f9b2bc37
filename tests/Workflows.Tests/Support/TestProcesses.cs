using System.Text.Json.Nodes;

namespace Workflows.Tests.Support;

/// <summary>Builds small process definitions for tests: start → the given nodes → finals "ok" and "err".</summary>
public static class TestProcesses
{
    public static JsonObject Node(string id, string type, JsonObject? @params = null, JsonObject? exits = null) => new()
    {
        ["id"] = id,
        ["type"] = type,
        ["params"] = @params ?? [],
        ["exits"] = exits ?? [],
    };

    public static JsonObject Final(string id, string result = "success") => Node(id, "final", new JsonObject { ["result"] = result });

    public static string Definition(string title, params JsonObject[] nodes)
    {
        var all = new JsonArray();
        foreach (var n in nodes) all.Add(n);
        return new JsonObject { ["title"] = title, ["nodes"] = all }.ToJsonString();
    }

    /// <summary>start → node (next → ok, error → err) with finals ok (success) and err (error).</summary>
    public static string Single(string type, JsonObject @params, bool withError = true)
    {
        var exits = new JsonObject { ["next"] = "ok" };
        if (withError) exits["error"] = "err";
        return Definition($"single {type}",
            Node("start", "start", exits: new JsonObject { ["next"] = "n" }),
            Node("n", type, @params, exits),
            Final("ok"),
            Final("err", "error"));
    }

    /// <summary>start → node "wait", waiting a day for a callback (next and timeout → final "done").</summary>
    public static string Waiter(string title) => Definition(title,
        Node("start", "start", exits: new JsonObject { ["next"] = "wait" }),
        Node("wait", "wait_callback", new JsonObject { ["timeout_seconds"] = 86400 }, new JsonObject { ["next"] = "done", ["timeout"] = "done" }),
        Final("done"));

    /// <summary>start → a delay of <paramref name="seconds"/> in node "sleep" → final "done".</summary>
    public static string Sleeper(string title, int seconds) => Definition(title,
        Node("start", "start", exits: new JsonObject { ["next"] = "sleep" }),
        Node("sleep", "delay", new JsonObject { ["seconds"] = seconds }, new JsonObject { ["next"] = "done" }),
        Final("done"));
}
