using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;
using Workflows.Engine.Nodes;

namespace Workflows.Connectors.Common;

/// <summary>What a vendor answered to one HTTP request.</summary>
public sealed record VendorReply(int Status, JsonNode? Json, string Text, HttpResponseHeaders Headers)
{
    public string Excerpt => Text.Length > 300 ? Text[..300] + "…" : Text;
}

public enum VerdictKind { Ok, Transient, Permanent }

/// <summary>How a connector reads one answer: fine, worth retrying, or final.</summary>
public readonly record struct Verdict(VerdictKind Kind, string? Tag = null, string? Text = null)
{
    public static Verdict Ok => new(VerdictKind.Ok);
    public static Verdict Transient(string tag, string text) => new(VerdictKind.Transient, tag, text);
    public static Verdict Permanent(string tag, string text) => new(VerdictKind.Permanent, tag, text);

    /// <summary>The default reading of an HTTP status: 429 and 5xx transient, other 4xx permanent.</summary>
    public static Verdict FromStatus(VendorReply reply, string? vendorText = null)
    {
        var text = vendorText ?? reply.Excerpt;
        if (reply.Status is 429 or >= 500) return Transient($"http_{reply.Status}", $"HTTP {reply.Status}: {text}");
        if (reply.Status is 401 or 403) return Permanent("auth_failed", $"HTTP {reply.Status}: {text}");
        if (reply.Status >= 400) return Permanent($"http_{reply.Status}", $"HTTP {reply.Status}: {text}");
        return Ok;
    }
}

/// <summary>The result of a vendor call after retries: the answer, or the error the node reports.</summary>
public sealed record VendorResult(VendorReply? Reply, NodeError? Error, int Attempts)
{
    public bool Ok => Error is null;
    public JsonNode? Json => Reply?.Json;
    public NodeOutcome Failure => NodeOutcome.Fail(Error!);
}

/// <summary>
/// The one place connectors call vendors: builds a fresh request per attempt, reads the answer
/// (size-limited), lets the connector classify it, retries transient failures with a Polly
/// pipeline (exponential back-off with jitter) and turns what is left into a node error:
/// transient → hardware, permanent → software, with the vendor's text in the description.
/// </summary>
public sealed class VendorCall
{
    public const string HttpClientName = "workflows-connectors";
    readonly IHttpClientFactory _http;
    readonly ConnectorOptions _options;
    readonly ResiliencePipeline<Attempt> _pipeline;

    public VendorCall(IHttpClientFactory http, ConnectorOptions options)
    {
        _http = http;
        _options = options;
        _pipeline = new ResiliencePipelineBuilder<Attempt>()
            .AddRetry(new RetryStrategyOptions<Attempt>
            {
                MaxRetryAttempts = Math.Max(1, options.RetryAttempts),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(Math.Max(1, options.RetryBaseDelayMs)),
                MaxDelay = TimeSpan.FromMilliseconds(Math.Max(1, options.RetryMaxDelayMs)),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Verdict.Kind: VerdictKind.Transient }),
                // A vendor's own wait hint (Retry-After, Telegram retry_after, X-Lognex-Retry-After), capped by MaxDelay.
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result?.Reply) is { } hint
                    ? (TimeSpan?)TimeSpan.FromMilliseconds(Math.Min(hint.TotalMilliseconds, Math.Max(1, options.RetryMaxDelayMs)))
                    : null),
            })
            .Build();
        if (options.RetryAttempts <= 0)
            _pipeline = ResiliencePipeline<Attempt>.Empty;
    }

    public ConnectorOptions Options => _options;

    /// <summary>One attempt's reading; <see cref="Value"/> carries what a non-HTTP action produced.</summary>
    public sealed record Attempt(Verdict Verdict, VendorReply? Reply = null, object? Value = null);

    /// <summary>Runs any action (SMTP, say) under the same retry and error rules.</summary>
    public async Task<(Attempt Last, NodeError? Error, int Attempts)> RunAsync(Func<CancellationToken, Task<Attempt>> action, CancellationToken cancel)
    {
        var attempts = 0;
        var last = await _pipeline.ExecuteAsync(async token =>
        {
            attempts++;
            try { return await action(token); }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                return new Attempt(Verdict.Transient("timeout", $"no answer within {_options.TimeoutMs} ms"));
            }
        }, cancel);
        var error = last.Verdict.Kind switch
        {
            VerdictKind.Ok => null,
            VerdictKind.Transient => new NodeError(true, last.Verdict.Tag ?? "transient", Described(last.Verdict.Text, attempts)),
            _ => new NodeError(false, last.Verdict.Tag ?? "failed", last.Verdict.Text ?? "the vendor refused the request"),
        };
        return (last, error, attempts);
    }

    static string Described(string? text, int attempts) =>
        attempts > 1 ? $"{text} (after {attempts} attempts)" : text ?? "transient failure";

    /// <summary>Sends a request built fresh for every attempt and classifies the answer.</summary>
    public async Task<VendorResult> SendAsync(Func<HttpRequestMessage> build, Func<VendorReply, Verdict> classify, CancellationToken cancel)
    {
        var (last, error, attempts) = await RunAsync(async token =>
        {
            using var request = build();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(_options.TimeoutMs);
            try
            {
                var client = _http.CreateClient(HttpClientName);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var text = await ReadLimited(response.Content, _options.MaxResponseBytes, timeout.Token);
                if (text is null) return new Attempt(Verdict.Permanent("response_too_large", $"the answer is larger than {_options.MaxResponseBytes} bytes"));
                JsonNode? json = null;
                if (text.Length > 0 && text.TrimStart() is ['{' or '[', ..])
                {
                    try { json = JsonNode.Parse(text); }
                    catch (JsonException) { json = null; }
                }
                var reply = new VendorReply((int)response.StatusCode, json, text, response.Headers);
                return new Attempt(classify(reply), reply);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                return new Attempt(Verdict.Transient("timeout", $"{request.Method} {Safe(request.RequestUri)} did not answer within {_options.TimeoutMs} ms"));
            }
            catch (HttpRequestException e) when (e.InnerException is Workflows.Engine.Security.OutboundBlockedException blocked)
            {
                // Refused here (a blocked address, a test task without a pinned answer): no retry changes that.
                return new Attempt(Verdict.Permanent("blocked_address", blocked.Message));
            }
            catch (HttpRequestException e)
            {
                return new Attempt(Verdict.Transient("connection_error", $"{request.Method} {Safe(request.RequestUri)}: {e.Message}"));
            }
        }, cancel);
        return new VendorResult(last.Reply, error, attempts);
    }

    /// <summary>How long the vendor asked to wait before the next attempt, if it said.</summary>
    public static TimeSpan? RetryAfter(VendorReply? reply)
    {
        if (reply is null) return null;
        if (reply.Headers.RetryAfter?.Delta is { } delta) return delta;
        if (reply.Headers.TryGetValues("X-Lognex-Retry-After", out var values) && long.TryParse(values.FirstOrDefault(), out var ms)) return TimeSpan.FromMilliseconds(ms);
        if (reply.Json?["parameters"]?["retry_after"] is JsonValue v && v.TryGetValue(out int seconds)) return TimeSpan.FromSeconds(seconds);
        return null;
    }

    /// <summary>A URL fit for an error text: no query (tokens travel there) and no path secrets beyond the host.</summary>
    public static string Safe(Uri? uri) => uri is null ? "" : $"{uri.Scheme}://{uri.Authority}";

    static async Task<string?> ReadLimited(HttpContent content, int limit, CancellationToken cancel) =>
        await Workflows.Engine.Nodes.ApiCallNode.ReadLimited(content, limit, cancel) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    public static HttpContent JsonBody(JsonNode body) => new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

    public static HttpContent FormBody(IEnumerable<KeyValuePair<string, string>> fields) => new FormUrlEncodedContent(fields);
}
