namespace Workflows.Engine.Runtime;

/// <summary>A request the engine refuses, with a message a user can act on. The API maps the kind to a status code.</summary>
public sealed class EngineException(EngineErrorKind kind, string message) : Exception(message)
{
    public EngineErrorKind Kind => kind;

    public static EngineException NotFound(string message) => new(EngineErrorKind.NotFound, message);
    public static EngineException Conflict(string message) => new(EngineErrorKind.Conflict, message);
    public static EngineException Invalid(string message) => new(EngineErrorKind.Invalid, message);
}

public enum EngineErrorKind { NotFound, Conflict, Invalid }
