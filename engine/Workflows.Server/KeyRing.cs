using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Workflows.Engine.Store;

namespace Workflows.Server;

/// <summary>
/// The server's Data Protection key ring, used by everything it encrypts (connector credentials, the
/// signed API's secrets, sign-in cookies): kept in "Workflows:KeysFolder", by default the store's keys
/// folder (beside the SQLite file). Back it up with the database: without it the stored secrets cannot be read.
/// </summary>
public static class KeyRing
{
    public static IServiceCollection AddWorkflowsDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        // Workflows:Connectors:KeysFolder is the setting's older name, still honoured.
        var configured = configuration["Workflows:KeysFolder"] ?? configuration["Workflows:Connectors:KeysFolder"];
        services.AddDataProtection().SetApplicationName("Workflows");
        services.AddOptions<KeyManagementOptions>().Configure<StoreProvider, ILoggerFactory>((keys, store, logs) =>
            keys.XmlRepository = new FileSystemXmlRepository(Directory.CreateDirectory(configured ?? store.KeysFolder), logs));
        return services;
    }
}
