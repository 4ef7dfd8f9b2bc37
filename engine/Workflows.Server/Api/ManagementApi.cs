using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Runtime;
using Workflows.Engine.Store;
using Workflows.Engine.TestRuns;
using Workflows.Server.Auth;

namespace Workflows.Server.Api;

/// <summary>The management API the designer and scripts use: processes, versions, tasks, counters, the node catalog.</summary>
public static class ManagementApi
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Management API").RequireViewerToReadEditorToChange().RequireRateLimiting(PublicApi.UserRateLimitPolicy);

        api.MapGet("/catalog", (NodeCatalog catalog) => catalog.All.Select(CatalogEntry));
        // The process file's JSON Schema, from this engine's catalog (docs/process.schema.json is the committed copy).
        api.MapGet("/process.schema.json", (NodeCatalog catalog) => Results.Text(ProcessSchema.Text(catalog), "application/schema+json"));

        api.MapPost("/validate", async (HttpRequest request, ProcessCompiler compiler) =>
        {
            var (definition, problem) = await Json.ReadDefinition(request);
            if (problem is not null) return problem;
            var (errors, warnings) = compiler.Review(definition!);
            return Results.Json(new ValidationResult(errors.Count == 0, errors.Select(ValidationError.Of).ToList(), warnings.Select(ValidationError.Of).ToList()));
        }).Produces<ValidationResult>();

        api.MapGet("/processes", (string? search, ProcessRegistry processes, NodeCounters counters) =>
            processes.All
                .Where(p => string.IsNullOrWhiteSpace(search)
                    || p.Row.Title.Contains(search, StringComparison.OrdinalIgnoreCase)
                    || p.ConvId.ToString(System.Globalization.CultureInfo.InvariantCulture).Contains(search, StringComparison.Ordinal)
                    || (p.Row.Alias?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false))
                .Select(p => ProcessSummary.Of(p, counters)));

        api.MapPost("/processes", async (HttpRequest request, ProcessRegistry processes, NodeCounters counters) =>
        {
            var (definition, problem) = await Json.ReadDefinition(request);
            if (problem is not null) return problem;
            return await Guard(async () =>
            {
                var entry = await processes.CreateAsync(definition!);
                return Results.Json(ProcessDetails.With(entry, counters), statusCode: StatusCodes.Status201Created);
            });
        }).Produces<ProcessDetails>(StatusCodes.Status201Created);

        api.MapPost("/import/corezoid", ImportCorezoid)
            .WithSummary("Converts a Corezoid process or folder export and creates the processes; lists what could not be converted per node");

        api.MapGet("/processes/{convId:long}", (long convId, ProcessRegistry processes, NodeCounters counters) =>
            Guard(() => Task.FromResult(Results.Json(ProcessDetails.With(processes.Get(convId), counters))))).Produces<ProcessDetails>();

        api.MapPut("/processes/{convId:long}", async (long convId, HttpRequest request, ProcessRegistry processes, NodeCounters counters) =>
        {
            var (definition, problem) = await Json.ReadDefinition(request);
            if (problem is not null) return problem;
            return await Guard(async () => Results.Json(ProcessDetails.With(await processes.UpdateAsync(convId, definition!), counters)));
        }).Produces<ProcessDetails>();

        api.MapDelete("/processes/{convId:long}", (long convId, ProcessRegistry processes, ActiveRefs refs) => Guard(async () =>
        {
            await processes.DeleteAsync(convId);
            refs.ForgetProcess(convId);
            return Results.NoContent();
        }));

        api.MapGet("/processes/{convId:long}/export", (long convId, ProcessRegistry processes) => Guard(() =>
        {
            var entry = processes.Get(convId);
            var text = DefinitionJson.Write(entry.Latest.Definition);
            return Task.FromResult(Results.File(System.Text.Encoding.UTF8.GetBytes(text), "application/json", $"process-{convId}.json"));
        }));

        api.MapPost("/processes/{convId:long}/pause", (long convId, ProcessRegistry processes, NodeCounters counters) =>
            Guard(async () => Results.Json(ProcessSummary.Of(await processes.SetStatusAsync(convId, ProcessStatus.Paused), counters)))).Produces<ProcessSummary>();
        api.MapPost("/processes/{convId:long}/resume", (long convId, ProcessRegistry processes, NodeCounters counters) =>
            Guard(async () => Results.Json(ProcessSummary.Of(await processes.SetStatusAsync(convId, ProcessStatus.Active), counters)))).Produces<ProcessSummary>();
        api.MapPost("/processes/{convId:long}/hash", (long convId, ProcessRegistry processes, NodeCounters counters) =>
            Guard(async () => Results.Json(ProcessSummary.Of(await processes.RegenerateHashAsync(convId), counters)))).Produces<ProcessSummary>();

        api.MapGet("/processes/{convId:long}/versions", (long convId, ProcessRegistry processes) => Guard(async () =>
            Results.Json((await processes.VersionsAsync(convId)).Select(v => new VersionInfo(v.Version, Json.Iso(v.CreatedAt)))))).Produces<IEnumerable<VersionInfo>>();
        api.MapGet("/processes/{convId:long}/versions/{version:int}", (long convId, int version, ProcessRegistry processes) => Guard(async () =>
        {
            var row = (await processes.VersionsAsync(convId)).FirstOrDefault(v => v.Version == version)
                ?? throw EngineException.NotFound($"process {convId} has no version {version}");
            return Results.Content(row.Definition, "application/json");
        }));

        api.MapGet("/processes/{convId:long}/counters", (long convId, LiveCounters live) =>
            Guard(async () => Results.Json(await ProcessCounters.Of(convId, live)))).Produces<ProcessCounters>();

        api.MapGet("/processes/{convId:long}/live", Live);

        api.MapGet("/processes/{convId:long}/tasks", (long convId, string? node_id, string? status, string? result, string? @ref, int? limit, TaskService tasks) => Guard(async () =>
            Results.Json((await tasks.ListAsync(convId, node_id, status, @ref, limit ?? 50, result)).Select(TaskInfo.Of)))).Produces<IEnumerable<TaskInfo>>();

        api.MapPost("/processes/{convId:long}/tasks", async (long convId, HttpRequest request, TaskService tasks, ProcessRegistry processes) =>
        {
            var (body, problem) = await Json.ReadObject(request);
            if (problem is not null) return problem;
            if (processes.Find(convId) is null) return Problems.From(EngineException.NotFound($"process {convId} does not exist"));
            if (body!["data"] is { } d && d is not JsonObject) return Problems.BadRequest("data must be a JSON object");
            if (body["ref"] is { } r && PublicApi.RefText(r) is null) return Problems.BadRequest("ref must be a string or a number");
            TestRun? test = null;
            if (body.ContainsKey("test"))
            {
                var latest = processes.Find(convId)!.Latest;
                (test, var why) = TestRun.Read(body["test"], nodeId => latest.Node(nodeId) is not null);
                if (why is not null) return Problems.BadRequest(why);
            }
            var data = body["data"] as JsonObject;
            body.Remove("data");
            var reference = body["ref"] is { } given ? PublicApi.RefText(given) : null;
            var created = test is null ? await tasks.CreateAsync(convId, reference, data) : await tasks.CreateTestAsync(convId, reference, data, test);
            if (!created.Ok) return Results.Problem(title: "The task was not created", detail: created.Description, statusCode: StatusCodes.Status409Conflict);
            var stored = await tasks.GetAsync(created.Task!.Id);
            return Results.Json(TaskInfo.Of(stored!.Value.Task), statusCode: StatusCodes.Status201Created);
        }).Produces<TaskInfo>(StatusCodes.Status201Created)
            .WithSummary("Creates a task with data and an optional ref; with test ({debug, breakpoints, answers}) a test task, counted nowhere, whose API-call and connector nodes get the answers pinned per node");

        api.MapPost("/tasks/{objId}/debug", async (string objId, HttpRequest request, TaskService tasks, TaskWaker waker, ProcessRegistry processes) =>
        {
            if (!TaskIds.TryParse(objId, out var id)) return Problems.BadRequest($"'{objId}' is not a task obj_id");
            var (body, problem) = await Json.ReadObject(request);
            if (problem is not null) return problem;
            var given = body!;
            if (given.Select(kv => kv.Key).FirstOrDefault(key => key is not ("action" or "breakpoints")) is { } unknown)
                return Problems.BadRequest($"'{unknown}' is not a field here; send action (step or continue) and, to change them, breakpoints");
            var step = (given["action"] is JsonValue a && a.TryGetValue(out string? action) ? action : null) switch
            {
                "step" => true,
                "continue" => false,
                _ => (bool?)null,
            };
            if (step is null) return Problems.BadRequest("action must be \"step\" (run the node and stop before the next) or \"continue\" (run to the next breakpoint)");
            IReadOnlyList<string>? breakpoints = null;
            if (given.ContainsKey("breakpoints"))
            {
                if (await tasks.GetAsync(id) is not { } found) return Problems.From(EngineException.NotFound($"task {objId} does not exist"));
                var latest = processes.Find(found.Task.ConvId)?.Latest;
                (breakpoints, var why) = TestRun.ReadBreakpoints(given["breakpoints"] ?? new JsonArray(), nodeId => latest?.Node(nodeId) is not null);
                if (why is not null) return Problems.BadRequest(why);
            }
            var woken = await waker.DebugAsync(id, step.Value, breakpoints);
            if (woken.Ok) return Results.Json(new TaskAccepted(objId, "ok"));
            return woken.Proc == "obj_id_not_found"
                ? Problems.From(EngineException.NotFound(woken.Description!))
                : Results.Problem(title: "The test task cannot go on", detail: woken.Description, statusCode: StatusCodes.Status409Conflict);
        }).Produces<TaskAccepted>().WithSummary("A test task stopped in a debug run goes on: step (run this node, stop before the next) or continue (run to the next breakpoint); breakpoints given replace the run's");

        api.MapPost("/tasks/{objId}/callback", async (string objId, HttpRequest request, TaskWaker waker) =>
        {
            if (!TaskIds.TryParse(objId, out var id)) return Problems.BadRequest($"'{objId}' is not a task obj_id");
            var (body, problem) = await Json.ReadObject(request);
            if (problem is not null) return problem;
            var woken = await waker.CallbackAsync(id, body);
            if (woken.Ok) return Results.Json(new TaskAccepted(objId, "ok"));
            return woken.Proc == "obj_id_not_found"
                ? Problems.From(EngineException.NotFound(woken.Description!))
                : Results.Problem(title: "The task is not waiting for a callback", detail: woken.Description, statusCode: StatusCodes.Status409Conflict);
        }).Produces<TaskAccepted>();

        api.MapPost("/tasks/{objId}/retry", async (string objId, TaskService tasks) =>
        {
            if (!TaskIds.TryParse(objId, out var id)) return Problems.BadRequest($"'{objId}' is not a task obj_id");
            var result = await tasks.RetryAsync(id);
            if (result.Ok) return Results.Json(new TaskAccepted(objId, "ok"));
            return result.Proc == "obj_id_not_found"
                ? Problems.From(EngineException.NotFound(result.Description!))
                : Results.Problem(title: "The task cannot be retried", detail: result.Description, statusCode: StatusCodes.Status409Conflict);
        }).Produces<TaskAccepted>().WithSummary("Sends a task that ended in an error back to the node that failed");

        api.MapPost("/processes/{convId:long}/nodes/{nodeId}/retry", (long convId, string nodeId, TaskService tasks) => Guard(async () =>
        {
            var (retried, refused) = await tasks.RetryNodeAsync(convId, nodeId);
            return Results.Json(new NodeRetried(retried, refused));
        })).Produces<NodeRetried>().WithSummary("Retries every task that ended in an error after failing in this node");

        api.MapGet("/tasks/{objId}", async (string objId, TaskService tasks, ProcessRegistry processes) =>
        {
            if (!TaskIds.TryParse(objId, out var id)) return Problems.BadRequest($"'{objId}' is not a task obj_id");
            return await ShowTask(id, tasks, processes);
        }).Produces<TaskDetails>();

        api.MapGet("/tasks/{objId}/history", async (string objId, TaskService tasks, ProcessRegistry processes) =>
        {
            if (!TaskIds.TryParse(objId, out var id)) return Problems.BadRequest($"'{objId}' is not a task obj_id");
            var found = await tasks.GetAsync(id);
            if (found is null) return Problems.From(EngineException.NotFound($"task {objId} does not exist"));
            var titleOf = HistoryStep.TitlesOf(found.Value.Task.ConvId, processes);
            return Results.Json(found.Value.History.Select(step => HistoryStep.Of(step, titleOf)).ToList());
        }).Produces<IReadOnlyList<HistoryStep>>().WithSummary("The steps a task took: node and its title, time, outcome, exit, what each step changed (old and new values); a test task's steps also the whole data after each");

        api.MapGet("/processes/{convId:long}/refs/{reference}", async (long convId, string reference, TaskService tasks, ProcessRegistry processes) =>
        {
            if (processes.Find(convId) is null) return Problems.From(EngineException.NotFound($"process {convId} does not exist"));
            return await tasks.ActiveByRefAsync(convId, reference) is { } id
                ? await ShowTask(id, tasks, processes)
                : Problems.From(EngineException.NotFound($"process {convId} has no active task with ref '{reference}'"));
        }).Produces<TaskDetails>().WithSummary("The active task with this ref, with its history");

        api.MapDelete("/tasks/{objId}", async (string objId, TaskService tasks) =>
        {
            if (!TaskIds.TryParse(objId, out var id)) return Problems.BadRequest($"'{objId}' is not a task obj_id");
            var deleted = await tasks.DeleteAsync(id);
            if (deleted.Ok) return Results.NoContent();
            return deleted.Proc == "obj_id_not_found"
                ? Problems.From(EngineException.NotFound(deleted.Description!))
                : Results.Problem(title: "The task cannot be deleted now", detail: deleted.Description, statusCode: StatusCodes.Status409Conflict);
        }).WithSummary("Deletes a task and its history; its ref is free again");
    }

    static async Task<IResult> ShowTask(long id, TaskService tasks, ProcessRegistry processes)
    {
        var found = await tasks.GetAsync(id);
        if (found is null) return Problems.From(EngineException.NotFound($"task {TaskIds.Format(id)} does not exist"));
        return Results.Json(TaskDetails.Of(found.Value.Task, found.Value.History, processes));
    }

    static async Task<IResult> ImportCorezoid(HttpRequest request, ProcessRegistry processes, NodeCounters counters, Workflows.Engine.Variables.EnvironmentVariables env)
    {
        // Exports are read leniently (comments, trailing commas, a repeated key: the last one wins), but
        // bad UTF-8, lone surrogates and numbers no double can hold are refused before anything is converted.
        var (bytes, refused) = await Json.ReadBytes(request);
        if (refused is not null) return Problems.Unreadable(refused);
        var lenient = Workflows.Engine.Security.JsonInput.Relaxed;
        lenient.MaxDepth = 256;
        if (Workflows.Engine.Security.JsonInput.Problem(bytes, lenient, duplicateKeysAllowed: true) is { } problem)
            return Problems.Unreadable(new(StatusCodes.Status400BadRequest, problem));
        var text = System.Text.Encoding.UTF8.GetString(bytes!);
        Workflows.Engine.Import.ImportResult result;
        try { result = Workflows.Engine.Import.CorezoidImporter.Import(text); }
        catch (Workflows.Engine.Import.CorezoidImportException e)
        {
            return Results.Problem(title: "Not a Corezoid export", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        var changes = Workflows.Engine.Import.ImportIds.Assign(result, processes.All.Select(p => p.ConvId).ToList(), alias => processes.FindByAlias(alias) is not null);
        var answers = new JsonArray();
        foreach (var imported in result.Processes)
        {
            var definition = imported.WithNotes();
            var answer = new JsonObject
            {
                ["corezoid_obj_id"] = imported.CorezoidObjId,
                ["title"] = imported.Title,
                ["issues"] = new JsonArray(imported.Issues.Select(IssueView).ToArray()),
                ["not_convertible"] = new JsonArray(imported.Issues.Where(i => i.NotConvertible).Select(IssueView).ToArray()),
            };
            try
            {
                var entry = await processes.CreateAsync(definition);
                answer["created"] = true;
                answer["process"] = JsonSerializer.SerializeToNode(ProcessSummary.Of(entry, counters), ApiJson(request.HttpContext));
                answer["warnings"] = JsonSerializer.SerializeToNode(entry.Latest.Warnings.Select(ValidationError.Of), ApiJson(request.HttpContext));
            }
            catch (DefinitionException e)
            {
                answer["created"] = false;
                answer["errors"] = new JsonArray(e.Errors.Select(x => (JsonNode)new JsonObject { ["node_id"] = x.NodeId, ["field"] = x.Field, ["message"] = x.Message }).ToArray());
            }
            catch (EngineException e)
            {
                answer["created"] = false;
                answer["errors"] = new JsonArray(new JsonObject { ["node_id"] = null, ["field"] = "process", ["message"] = e.Message });
            }
            answers.Add(answer);
        }
        return Results.Json(new JsonObject
        {
            ["processes"] = answers,
            // Old -> new: processes whose Corezoid id (or alias) was missing or already used here.
            ["conv_ids"] = new JsonArray(changes.Select(c => (JsonNode)new JsonObject
            {
                ["title"] = c.Title, ["old"] = c.OldConvId, ["new"] = c.NewConvId, ["old_alias"] = c.OldAlias, ["new_alias"] = c.NewAlias,
            }).ToArray()),
            ["issues"] = new JsonArray(result.Issues.Select(IssueView).ToArray()),
            // The variables the processes read; those not defined here read as empty until set (PUT /api/env/{name}).
            ["env_vars"] = new JsonArray(result.EnvVars.Select(name => (JsonNode)new JsonObject { ["name"] = name, ["defined"] = env.Find(name) is not null }).ToArray()),
        });
    }

    static JsonNode IssueView(Workflows.Engine.Import.ImportIssue i) =>
        new JsonObject { ["node_id"] = i.NodeId, ["node_title"] = i.NodeTitle, ["what"] = i.What, ["why"] = i.Why, ["not_convertible"] = i.NotConvertible };

    /// <summary>Server-sent events: the node counters, pushed when they change (at most 4 times a second).</summary>
    static async Task Live(long convId, HttpContext context, LiveCounters live, NodeCounters counters, ProcessRegistry processes)
    {
        if (processes.Find(convId) is null)
        {
            await Problems.From(EngineException.NotFound($"process {convId} does not exist")).ExecuteAsync(context);
            return;
        }
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var cancel = context.RequestAborted;
        // One node: push when this node's counters moved. A shared store: other nodes move tasks too,
        // so read the store's view every second and push when it differs from the last one sent.
        long seen = -1;
        string? sent = null;
        try
        {
            while (!cancel.IsCancellationRequested && processes.Find(convId) is not null)
            {
                var changes = counters.Changes;
                if (live.FromStore || changes != seen)
                {
                    seen = changes;
                    var json = JsonSerializer.Serialize(await ProcessCounters.Of(convId, live), ApiJson(context));
                    if (json != sent)
                    {
                        sent = json;
                        await context.Response.WriteAsync($"event: counters\ndata: {json}\n\n", cancel);
                        await context.Response.Body.FlushAsync(cancel);
                    }
                }
                await Task.Delay(live.FromStore ? 1000 : 250, cancel);
            }
        }
        catch (OperationCanceledException) { }
        catch (EngineException) { }
    }

    static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try { return await action(); }
        catch (DefinitionException e) { return Problems.Invalid(e.Errors); }
        catch (EngineException e) { return Problems.From(e); }
    }

    static object CatalogEntry(NodeType type)
    {
        var d = type.Description;
        return new
        {
            type = d.Type, title = d.Title, category = d.Category, icon = d.Icon,
            kind = d.Kind.ToString().ToLowerInvariant(),
            parameters = d.Parameters.Select(p => new
            {
                name = p.Name, type = p.Kind.WireName(), label = p.Label, required = p.Required, @default = p.Default, options = p.Options, help = p.Help,
                min = p.Min, max = p.Max,
                // A string naming a stored credential of this kind: the designer offers the stored ones.
                credential_kind = p.CredentialKind,
                // A rules editor offers the engine's own comparison list, not a copy of it.
                // A template's hint lists the engine's own $.functions, as they are written.
                functions = p.Kind == ParamKind.Rules ? ConditionFunctions.All.Select(f => new { value = f.Name, label = f.Label })
                    : p.Kind == ParamKind.Template ? Workflows.Engine.Templates.TemplateFunctions.Names.Select(n => new { value = n, label = Workflows.Engine.Templates.TemplateFunctions.Usage(n) })
                    : null,
                casts = p.Kind == ParamKind.Rules ? ConditionFunctions.Casts : null,
            }),
            exits = d.Exits.Select(e => new { name = e.Name, label = e.Label, required = e.Required }),
            error_kind = d.ErrorKind, help = d.Help,
        };
    }

    /// <summary>The API's JSON options (snake case), for answers written by hand.</summary>
    static JsonSerializerOptions ApiJson(HttpContext context) =>
        context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
}
