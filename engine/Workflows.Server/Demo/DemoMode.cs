using Workflows.Connectors.Credentials;
using Workflows.Simulators;

namespace Workflows.Server.Demo;

/// <summary>
/// "Workflows:Demo=true": starts every vendor simulator inside the server and stores demo credentials
/// pointing at them (names demo-bitrix24, demo-bitrix24-oauth, demo-voximplant, demo-telegram, demo-sms,
/// demo-smtp, demo-retailcrm, demo-moysklad, demo-beeline), so the bundled processes run without real accounts.
/// </summary>
public sealed class DemoMode(CredentialStore credentials, ILogger<DemoMode> log) : IHostedService, IAsyncDisposable
{
    /// <summary>Registers demo mode when "Workflows:Demo" is true; a production server never loads the simulators otherwise.</summary>
    public static IServiceCollection AddDemoMode(IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>("Workflows:Demo")) return services;
        services.AddSingleton<DemoMode>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoMode>());
        return services;
    }

    public SimulatorSet? Simulators { get; private set; }

    public static IReadOnlyList<Credential> CredentialsFor(SimulatorSet s) =>
    [
        new("demo-bitrix24", "bitrix24", new Dictionary<string, string>
        {
            ["webhook_url"] = $"{s.Bitrix24.Base}/rest/{Bitrix24Simulator.WebhookUser}/{Bitrix24Simulator.WebhookCode}/",
        }),
        new("demo-bitrix24-oauth", "bitrix24", new Dictionary<string, string>
        {
            ["portal_url"] = $"{s.Bitrix24.Base}/rest/",
            ["oauth_url"] = $"{s.Bitrix24.Base}/oauth/token/",
            ["client_id"] = Bitrix24Simulator.ClientId,
            ["client_secret"] = Bitrix24Simulator.ClientSecret,
            ["access_token"] = "demo-access-token",
            ["refresh_token"] = "demo-refresh-token",
        }),
        new("demo-voximplant", "voximplant", new Dictionary<string, string>
        {
            ["api_url"] = $"{s.VoxImplant.Base}/platform_api",
            ["account_id"] = VoxImplantSimulator.AccountId,
            ["api_key"] = VoxImplantSimulator.ApiKey,
        }),
        new("demo-telegram", "telegram", new Dictionary<string, string>
        {
            ["api_url"] = s.Telegram.Base,
            ["bot_token"] = TelegramSimulator.Token,
        }),
        new("demo-sms", "sms", new Dictionary<string, string>
        {
            ["url"] = $"{s.Sms.Base}/sms/send",
            ["api_key"] = SmsSimulator.ApiId,
        }),
        new("demo-smtp", "smtp", new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1",
            ["port"] = s.Smtp.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["username"] = SmtpSimulator.User,
            ["password"] = SmtpSimulator.Password,
            ["from"] = SmtpSimulator.User,
            ["enable_ssl"] = "false",
        }),
        new("demo-retailcrm", "retailcrm", new Dictionary<string, string>
        {
            ["url"] = s.RetailCrm.Base,
            ["api_key"] = RetailCrmSimulator.ApiKey,
        }),
        new("demo-moysklad", "moysklad", new Dictionary<string, string>
        {
            ["url"] = $"{s.MoySklad.Base}/api/remap/1.2",
            ["token"] = MoySkladSimulator.Token,
            ["organization_id"] = MoySkladSimulator.Organization,
            ["agent_id"] = MoySkladSimulator.Agent,
        }),
        new("demo-beeline", "beeline", new Dictionary<string, string>
        {
            ["url"] = $"{s.Beeline.Base}/apis/portal",
            ["token"] = BeelineSimulator.Token,
        }),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Simulators = await SimulatorSet.StartAsync();
        Simulators.Bitrix24.BucketCapacity = 50;   // the cloud portal's leaky bucket (X=50, 2/s)
        Simulators.SeedDemoData();
        credentials.EnsureTable();
        foreach (var credential in CredentialsFor(Simulators)) await credentials.PutAsync(credential, cancellationToken);
        log.LogInformation("Demo mode: vendor simulators started; demo credentials stored (demo-bitrix24, demo-voximplant, demo-telegram, demo-sms, demo-smtp, demo-retailcrm, demo-moysklad, demo-beeline)");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Simulators is not null) await Simulators.DisposeAsync();
        Simulators = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Simulators is not null) await Simulators.DisposeAsync();
        Simulators = null;
    }
}
