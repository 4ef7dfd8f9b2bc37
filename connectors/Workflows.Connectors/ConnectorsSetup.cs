using System.Net;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Workflows.Connectors.Common;
using Workflows.Connectors.Credentials;
using Workflows.Engine.Nodes;
using Workflows.Engine.Store;

namespace Workflows.Connectors;

/// <summary>The connector SDK's entry point: registers the credential store, the vendor call and every connector node found.</summary>
public static class ConnectorsSetup
{
    /// <summary>
    /// Registers the connectors: settings from "Workflows:Connectors", the credential store (table created
    /// at start-up; its secrets are encrypted with the host's Data Protection), this assembly's connector node types and any found in <paramref name="assemblies"/>.
    /// </summary>
    public static IServiceCollection AddWorkflowsConnectors(this IServiceCollection services, IConfiguration configuration, params Assembly[] assemblies)
    {
        var options = configuration.GetSection("Workflows:Connectors").Get<ConnectorOptions>() ?? new ConnectorOptions();
        services.AddSingleton(options);
        // No request logging: Telegram tokens and Bitrix24 webhook codes travel in URL paths.
        // Same outbound guard as API-call nodes: no loopback or private addresses unless allowed.
        services.AddHttpClient(VendorCall.HttpClientName).RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => Workflows.Engine.Security.OutboundGuard.CreateHandler(sp.GetRequiredService<Workflows.Engine.EngineOptions>()));
        services.AddSingleton<CredentialStore>();
        services.AddSingleton<VendorCall>();
        services.AddSingleton<ConnectorServices>();
        services.AddHostedService<CredentialsStartup>();
        services.AddConnectorNodes();
        foreach (var type in Discover(assemblies.Where(a => a != typeof(ConnectorsSetup).Assembly)))
            services.AddNodeType(type);
        return services;
    }

    /// <summary>The connectors of this assembly, registered like the engine's own nodes: a new one is its file plus a line here.</summary>
    public static IServiceCollection AddConnectorNodes(this IServiceCollection services) => services
        .AddNodeType<Bitrix24.LeadAddNode>()
        .AddNodeType<Bitrix24.LeadUpdateNode>()
        .AddNodeType<Bitrix24.LeadGetNode>()
        .AddNodeType<Bitrix24.ContactFindNode>()
        .AddNodeType<VoxImplant.StartScenarioNode>()
        .AddNodeType<Telegram.SendMessageNode>()
        .AddNodeType<Sms.SmsSendNode>()
        .AddNodeType<Email.EmailSendNode>()
        .AddNodeType<RetailCrm.OrderCreateNode>()
        .AddNodeType<RetailCrm.OrderEditNode>()
        .AddNodeType<RetailCrm.OrderStatusNode>()
        .AddNodeType<RetailCrm.OrderGetNode>()
        .AddNodeType<RetailCrm.CatalogueUploadNode>()
        .AddNodeType<MoySklad.StockNode>()
        .AddNodeType<MoySklad.ReserveNode>()
        .AddNodeType<MoySklad.FindProductsNode>()
        .AddNodeType<MoySklad.StockReportNode>()
        .AddNodeType<MoySklad.OrderStateNode>()
        .AddNodeType<ShopScript.OrderWebhookNode>()
        .AddNodeType<Beeline.ClickToCallNode>()
        .AddNodeType<Beeline.SubscribeNode>()
        .AddNodeType<Beeline.UnsubscribeNode>()
        .AddNodeType<Beeline.CallRecordNode>();

    /// <summary>
    /// Connector node types in other (plug-in) assemblies: non-abstract, non-generic subclasses of NodeType with a
    /// public constructor (parameterless, or with parameters DI can resolve). The engine's built-in
    /// node types are never registered twice.
    /// </summary>
    public static IReadOnlyList<Type> Discover(IEnumerable<Assembly> assemblies)
    {
        var engine = typeof(NodeType).Assembly;
        return assemblies.Distinct().Where(a => a != engine)
            .SelectMany(a => { try { return a.GetTypes(); } catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>().ToArray(); } })
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && typeof(NodeType).IsAssignableFrom(t))
            .Where(t => t.GetConstructors().Length > 0)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
    }

    sealed class CredentialsStartup(CredentialStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            store.EnsureTable();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
