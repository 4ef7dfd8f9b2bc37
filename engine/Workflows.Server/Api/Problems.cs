using System.Text.Json;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Runtime;

namespace Workflows.Server.Api;

/// <summary>RFC 9457 problem details for every refusal of the management API.</summary>
public static class Problems
{
    public static IResult Invalid(IReadOnlyList<DefinitionError> errors) => Results.Problem(
        title: "The process definition is invalid",
        detail: errors.Count == 1 ? "1 error" : $"{errors.Count} errors",
        statusCode: StatusCodes.Status400BadRequest,
        type: "https://workflows.dev/problems/invalid-definition",
        extensions: new Dictionary<string, object?>
        {
            ["errors"] = errors.Select(e => new { node_id = e.NodeId, field = e.Field, message = e.Message }).ToList(),
        });

    public static IResult BadJson(JsonException e) => Results.Problem(
        title: "The request body is not readable JSON",
        detail: e.Path is { Length: > 1 } path ? $"at {path} (line {e.LineNumber + 1}): {Clean(e.Message)}" : Clean(e.Message),
        statusCode: StatusCodes.Status400BadRequest,
        type: "https://workflows.dev/problems/bad-json");

    public static IResult From(EngineException e) => Results.Problem(title: TitleOf(e.Kind), detail: e.Message, statusCode: StatusOf(e.Kind));

    /// <summary>The HTTP status of an engine refusal: the one mapping, for endpoints and the exception handler alike.</summary>
    public static int StatusOf(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.NotFound => StatusCodes.Status404NotFound,
        EngineErrorKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    public static string TitleOf(EngineErrorKind kind) => kind switch
    {
        EngineErrorKind.NotFound => "Not found",
        EngineErrorKind.Conflict => "Conflict",
        _ => "Invalid request",
    };

    /// <summary>A body refused before it was read: not JSON, bad UTF-8, a key twice, a number out of range, too deep or too large.</summary>
    public static IResult Unreadable(BodyRefusal refused) => Results.Problem(
        title: refused.Status == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "The request body is not readable JSON",
        detail: refused.Description,
        statusCode: refused.Status,
        type: "https://workflows.dev/problems/bad-json");

    public static IResult BadRequest(string detail) => Results.Problem(title: "Invalid request", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>System.Text.Json messages end with a long hint about the path; keep the useful part.</summary>
    static string Clean(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
