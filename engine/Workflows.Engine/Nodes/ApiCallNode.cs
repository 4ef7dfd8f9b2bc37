using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workflows.Engine.Definitions;
using Workflows.Engine.Templates;

namespace Workflows.Engine.Nodes;

/// <summary>
/// Calls an HTTP API and puts its JSON answer into the task: merged into the data, or under
/// <c>response_key</c>. Runs after the task's progress is committed, so a crash may repeat a call
/// (at least once) but never loses the task. Time-outs, connection errors, 429 and 5xx are
/// transient ("hardware"); other 4xx and unreadable answers are permanent ("software").
/// </summary>
public sealed class ApiCallNode : NodeType<ApiCallNode.Prepared>
{
    public sealed record Prepared(
        HttpMethod Method, Template Url, (string Key, Template Value)[] Headers,
        string BodyType, ValueTemplate? Body, Template? RawBody, DataPath? ResponseKey, TimeSpan? Timeout);

    static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    static readonly string[] BodyTypes = ["json", "form", "raw", "none"];

    public override NodeDescription Description { get; } = new(
        "api", "API call", "integration", "globe", NodeKind.Effect,
        [
            new ParamSpec("method", ParamKind.Select, "Method", Default: "POST", Options: Methods),
            new ParamSpec("url", ParamKind.Template, "URL", Required: true),
            new ParamSpec("headers", ParamKind.KeyValue, "Headers"),
            new ParamSpec("body_type", ParamKind.Select, "Body", Default: "json", Options: BodyTypes),
            new ParamSpec("body", ParamKind.Json, "Body parameters", Help: "Object of parameters with templates; left out, the whole task data is sent. For raw: a text template."),
            new ParamSpec("response_key", ParamKind.String, "Put the answer under", Help: "Left empty, an object answer is merged into the task data."),
            new ParamSpec("timeout_ms", ParamKind.Integer, "Time-out (ms)", Help: "Left empty, the engine's default (30 s).", Min: 1, Max: 600_000),
        ],
        [Exits.NextExit, Exits.ErrorExit],
        ErrorKind: "api",
        ParamsRule: (JsonObject)JsonNode.Parse("""
            {"if": {"properties": {"body_type": {"const": "raw"}}, "required": ["body_type"]}, "then": true,
             "else": {"properties": {"body": {"type": ["object", "null"]}}}}
            """)!);

    protected override Prepared? PrepareNode(NodeDefinition node, PrepareContext context)
    {
        var method = context.String("method")!;
        var url = context.Template("url", required: true);
        if (url is { IsConstant: true } && !Uri.TryCreate(url.Text, UriKind.Absolute, out var u))
            context.Error("params.url", $"'{url.Text}' is not an absolute URL");
        else if (url is { IsConstant: true } && Uri.TryCreate(url.Text, UriKind.Absolute, out u) && u.Scheme is not ("http" or "https"))
            context.Error("params.url", "must be an http or https URL");
        var headers = new List<(string, Template)>();
        if (node.Params["headers"] is { } h && h is not JsonObject) context.Error("params.headers", "must be an object of header: value");
        if (node.Params["headers"] is JsonObject hs)
            foreach (var (key, value) in hs)
            {
                // HTTP header names ignore letter case: two spellings of one name would be one header sent twice.
                if (headers.FirstOrDefault(x => x.Item1.Equals(key, StringComparison.OrdinalIgnoreCase)).Item1 is { } same)
                {
                    context.Error($"params.headers.{key}", $"header '{key}' is also given as '{same}'; HTTP header names ignore letter case, so give it once");
                    continue;
                }
                var t = context.TemplateOf($"params.headers.{key}", value is null ? "" : Template.AsText(value));
                if (t is not null) headers.Add((key, t));
            }
        var bodyType = context.String("body_type")!;
        ValueTemplate? body = null;
        Template? raw = null;
        if (node.Params["body"] is { } b)
        {
            if (bodyType == "raw") raw = context.TemplateOf("params.body", Template.AsText(b));
            else if (b is JsonObject)
            {
                try { body = ValueTemplate.From(b); }
                catch (TemplateException e) { context.Error("params.body", e.Message); }
            }
            else context.Error("params.body", "must be an object of parameters (or a text with body_type raw)");
        }
        var responseKey = context.String("response_key");
        DataPath? responsePath = null;
        if (!string.IsNullOrWhiteSpace(responseKey))
        {
            try { responsePath = DataPath.Parse(responseKey); }
            catch (TemplateException e) { context.Error("params.response_key", e.Message); }
        }
        var timeout = context.Number("timeout_ms");
        if (url is null || context.HasErrors) return null;
        return new Prepared(new HttpMethod(method), url, [.. headers], bodyType, body, raw,
            responsePath, timeout is null ? null : TimeSpan.FromMilliseconds(timeout.Value));
    }

    /// <summary>The request with the task's values inserted, or null and why not (a template that fails, a bad URL).</summary>
    static HttpRequestMessage? TryBuildRequest(StepContext step, Prepared node, out string? problem)
    {
        problem = null;
        try { return BuildRequest(step, node); }
        catch (Exception e) when (e is TemplateException or UriFormatException or FormatException or InvalidOperationException)
        {
            problem = e.Message;
            return null;
        }
    }

    protected override async ValueTask<NodeOutcome> Execute(StepContext step, Prepared node)
    {
        using var request = TryBuildRequest(step, node, out var problem);
        if (request is null) return NodeOutcome.Software("bad_request", problem!);
        var limit = node.Timeout ?? step.Http.DefaultTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(step.Cancellation);
        timeout.CancelAfter(limit);
        try
        {
            var client = step.Http.Client();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var maxBytes = step.Http.MaxResponseBytes;
            var bytes = await ReadLimited(response.Content, maxBytes, timeout.Token);
            if (bytes is null) return NodeOutcome.Software("response_too_large", $"the answer is larger than {maxBytes} bytes");
            var status = (int)response.StatusCode;
            if (status == 429 || status >= 500)
                return NodeOutcome.Hardware($"http_{status}", $"{request.Method} {request.RequestUri} answered {status} {response.ReasonPhrase}: {Excerpt(bytes)}");
            if (status >= 400)
                return NodeOutcome.Software($"http_{status}", $"{request.Method} {request.RequestUri} answered {status} {response.ReasonPhrase}: {Excerpt(bytes)}");
            JsonNode? answer;
            try
            {
                answer = bytes.Length == 0 ? null : JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException)
            {
                return NodeOutcome.Software("bad_response", $"the answer is not JSON: {Excerpt(bytes)}");
            }
            Apply(step, node, answer);
            return NodeOutcome.Go();
        }
        catch (OperationCanceledException) when (!step.Cancellation.IsCancellationRequested)
        {
            return NodeOutcome.Hardware("timeout", $"{request.Method} {request.RequestUri} did not answer within {limit.TotalMilliseconds} ms");
        }
        catch (HttpRequestException e) when (e.InnerException is Security.OutboundBlockedException blocked)
        {
            return NodeOutcome.Software("blocked_address", blocked.Message);
        }
        catch (HttpRequestException e)
        {
            return NodeOutcome.Hardware("connection_error", $"{request.Method} {request.RequestUri}: {e.Message}");
        }
    }

    static HttpRequestMessage BuildRequest(StepContext step, Prepared node)
    {
        var scope = step.OutboundScope;
        var url = node.Url.RenderString(scope);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UriFormatException($"'{url}' is not an absolute http(s) URL");
        var request = new HttpRequestMessage(node.Method, uri);
        if (node.Method != HttpMethod.Get && node.Method != HttpMethod.Delete && node.BodyType != "none")
        {
            request.Content = node.BodyType switch
            {
                "raw" => new StringContent(node.RawBody?.RenderString(scope) ?? "", Encoding.UTF8, "text/plain"),
                "form" => new FormUrlEncodedContent(((node.Body?.Render(scope) as JsonObject) ?? step.Data)
                    .Select(kv => new KeyValuePair<string, string>(kv.Key, Template.AsText(kv.Value)))),
                _ => new StringContent(Runtime.TaskJson.Text(node.Body?.Render(scope) ?? step.Data), Encoding.UTF8, "application/json"),
            };
        }
        foreach (var (key, value) in node.Headers)
        {
            var text = value.RenderString(scope);
            if (!request.Headers.TryAddWithoutValidation(key, text))
            {
                if (request.Content is null) throw new InvalidOperationException($"header '{key}' needs a body");
                request.Content.Headers.Remove(key);
                request.Content.Headers.TryAddWithoutValidation(key, text);
            }
        }
        return request;
    }

    static void Apply(StepContext step, Prepared node, JsonNode? answer)
    {
        if (node.ResponseKey is not null) step.Set(node.ResponseKey, answer);
        else if (answer is JsonObject obj)
            foreach (var (key, value) in obj.ToList())
            {
                obj.Remove(key);
                step.Set(key, value);
            }
        else if (answer is not null) step.Set("response", answer);
    }

    /// <summary>Reads an HTTP answer up to a size limit; null when it is larger (shared with the connectors).</summary>
    public static async Task<byte[]?> ReadLimited(HttpContent content, int limit, CancellationToken cancel)
    {
        if (content.Headers.ContentLength > limit) return null;
        await using var stream = await content.ReadAsStreamAsync(cancel);
        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancel)) > 0)
            {
                if (buffer.Length + read > limit) return null;
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    static string Excerpt(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 300));
        return bytes.Length > 300 ? text + "…" : text;
    }
}
