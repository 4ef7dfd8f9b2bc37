using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Workflows.Engine.Store;

namespace Workflows.Server;

/// <summary>
/// The server's Data Protection key ring, used by everything it encrypts (connector credentials, the
/// signed API's secrets, sign-in cookies): kept in "Workflows:KeysFolder" when set; else in the database
/// when several nodes share it (all must read the same keys, see <see cref="StoreKeyRing"/>); else in the
/// store's keys folder (beside the SQLite file). Back it up with the database: without it the stored secrets cannot be read.
/// </summary>
public static class KeyRing
{
    public static IServiceCollection AddWorkflowsDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        // Workflows:Connectors:KeysFolder is the setting's older name, still honoured.
        var configured = configuration["Workflows:KeysFolder"] ?? configuration["Workflows:Connectors:KeysFolder"];
        services.AddDataProtection().SetApplicationName("Workflows");
        services.AddOptions<KeyManagementOptions>().Configure<StoreProvider, NodeMembership, ILoggerFactory>((keys, store, node, logs) =>
            keys.XmlRepository = configured is null && node.Shared ? new StoreKeyRing(store)
                : new FileSystemXmlRepository(Directory.CreateDirectory(configured ?? store.KeysFolder), logs));
        return services;
    }
}
