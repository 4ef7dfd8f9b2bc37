namespace Workflows.Engine.Templates;

/// <summary>A template or path that cannot be parsed or evaluated; the message says what is wrong.</summary>
public sealed class TemplateException(string message) : Exception(message);
