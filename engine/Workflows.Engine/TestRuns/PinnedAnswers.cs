using System.Net;
using System.Text;

namespace Workflows.Engine.TestRuns;

/// <summary>
/// The one place where outgoing HTTP of nodes (API calls, connectors) meets test runs: the handler in
/// front of every node's connection. While the runner executes a node of a test task it sets
/// <see cref="Current"/>; a request then gets the node's pinned answer and never leaves the machine,
/// and without a pinned answer it is refused: a test task calls no real service.
/// </summary>
public sealed class PinnedAnswers(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    static readonly AsyncLocal<TestStep?> Step = new();

    /// <summary>The test task's node executing on this flow, if any.</summary>
    public static TestStep? Current
    {
        get => Step.Value;
        set => Step.Value = value;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Current is not { } step) return base.SendAsync(request, cancellationToken);
        if (step.Answer is not { } pinned)
            throw new HttpRequestException($"{request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)} was not sent",
                new Security.OutboundBlockedException(step.NotSent));
        var body = pinned.Body is null ? "" : pinned.Body.ToJsonString();
        return Task.FromResult(new HttpResponseMessage((HttpStatusCode)pinned.Status)
        {
            RequestMessage = request,
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });
    }
}

/// <summary>A node of a test task while it executes, and the answer pinned for it (null: none).</summary>
public sealed record TestStep(string NodeId, PinnedAnswer? Answer)
{
    /// <summary>Why a request of this node was not sent: there is no answer pinned for it.</summary>
    public string NotSent => $"a test task calls no real service: pin an answer for node '{NodeId}' to test it";
}
