using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Workflows.Connectors.Credentials;
using Workflows.Engine.Definitions;
using Workflows.Engine.Nodes;
using Workflows.Engine.Templates;

namespace Workflows.Connectors.Common;

/// <summary>What every connector node needs: the credential store, the vendor call, the settings.</summary>
public sealed class ConnectorServices(CredentialStore credentials, VendorCall vendor, ConnectorOptions options, IServiceProvider provider)
{
    public CredentialStore Credentials => credentials;
    public VendorCall Vendor => vendor;
    public ConnectorOptions Options => options;

    /// <summary>The base URL vendors call back: configured, or the first address the server listens on.</summary>
    public string PublicBaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl)) return options.PublicBaseUrl.TrimEnd('/');
        var address = provider.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return (address ?? "http://127.0.0.1:5000").Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1").Replace("://+", "://127.0.0.1").TrimEnd('/');
    }
}

/// <summary>The fields every connector's prepared form starts with.</summary>
public abstract record ConnectorPrepared(string Credential, string? ResultKey);

/// <summary>
/// Base of a connector node: category "connectors", an effect (runs after the task's progress is
/// committed), a <c>credential</c> parameter, exits next / extra outcomes / error.
/// </summary>
public abstract class ConnectorNode<TPrepared>(ConnectorServices services) : NodeType<TPrepared> where TPrepared : class
{
    protected ConnectorServices Services => services;

    public static ParamSpec CredentialParam(string kind) =>
        new("credential", ParamKind.String, "Credential", Required: true, Help: $"Name of a stored credential of kind '{kind}' (the Credentials page, or PUT /api/credentials/{{name}}).", CredentialKind: kind);

    public static ParamSpec ResultKeyParam(string fallback) =>
        new("result_key", ParamKind.String, "Put the result under", Default: fallback);

    protected static NodeDescription Describe(string type, string title, string icon, string vendor, IEnumerable<ParamSpec> parameters,
        IEnumerable<ExitSpec>? outcomes = null, string? help = null, NodeKind kind = NodeKind.Effect) =>
        new(type, title, "connectors", icon, kind,
            [CredentialParam(vendor), .. parameters],
            [Exits.NextExit, .. outcomes ?? [], Exits.ErrorExit],
            ErrorKind: vendor, Help: help);

    /// <summary>Reads the credential param (required) and the result key (optional, with a default).</summary>
    protected static (string Credential, string? ResultKey) Common(PrepareContext context, string? resultFallback = null)
    {
        var credential = context.String("credential", required: true) ?? "";
        var key = context.String("result_key");
        return (credential.Trim(), string.IsNullOrWhiteSpace(key) ? resultFallback : key.Trim());
    }

    /// <summary>Loads the named credential; a missing one or one of another kind is a software error.</summary>
    protected async Task<(Credential? Credential, NodeOutcome Failure)> LoadCredential(string name, string kind, CancellationToken cancel)
    {
        var credential = await services.Credentials.GetAsync(name, cancel);
        if (credential is null) return (null, NodeOutcome.Software("credential_not_found", $"no credential named '{name}'"));
        if (!string.Equals(credential.Kind, kind, StringComparison.OrdinalIgnoreCase))
            return (null, NodeOutcome.Software("credential_kind", $"credential '{name}' is of kind '{credential.Kind}', this node needs '{kind}'"));
        return (credential, default);
    }

    protected static void Put(StepContext step, string? key, JsonNode? value)
    {
        if (key is null) return;
        step.Set(DataPath.Parse(key), value);
    }

    protected static ValueTemplate? JsonParam(PrepareContext context, string name, bool required = false)
    {
        var value = context.Node.Params[name];
        if (value is null)
        {
            if (required) context.Error($"params.{name}", "is required");
            return null;
        }
        if (value is JsonValue text && text.TryGetValue(out string? s))
        {
            // A JSON text is accepted too (Corezoid-style).
            try { value = JsonNode.Parse(s); }
            catch (System.Text.Json.JsonException) { context.Error($"params.{name}", "must be a JSON object"); return null; }
        }
        if (value is not JsonObject) { context.Error($"params.{name}", "must be a JSON object"); return null; }
        try { return ValueTemplate.From(value); }
        catch (TemplateException e) { context.Error($"params.{name}", e.Message); return null; }
    }

    /// <summary>Renders a template; a template problem is a software error on the given field.</summary>
    protected static string Render(StepContext step, Template? template) => template?.RenderString(step.Scope) ?? "";

    protected static JsonObject RenderObject(StepContext step, ValueTemplate? template) =>
        template?.Render(step.Scope) as JsonObject ?? [];

    protected static NodeDefinition NodeOf(PrepareContext context) => context.Node;
}
