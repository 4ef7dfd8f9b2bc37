namespace Workflows.Simulators;

/// <summary>Every vendor simulator, started together (demo mode, tests, the runnable).</summary>
public sealed class SimulatorSet : IAsyncDisposable
{
    public Bitrix24Simulator Bitrix24 { get; } = new();
    public VoxImplantSimulator VoxImplant { get; } = new();
    public TelegramSimulator Telegram { get; } = new();
    public SmsSimulator Sms { get; } = new();
    public SmtpSimulator Smtp { get; } = new();
    public RetailCrmSimulator RetailCrm { get; } = new();
    public MoySkladSimulator MoySklad { get; } = new();
    public ShopScriptSimulator ShopScript { get; } = new();
    public BeelineSimulator Beeline { get; } = new();

    public IEnumerable<HttpSimulator> All => [Bitrix24, VoxImplant, Telegram, Sms, Smtp, RetailCrm, MoySklad, ShopScript, Beeline];

    /// <summary>
    /// What demo mode starts with beyond each simulator's own fixtures (MoySklad's products, Beeline's
    /// operators, Shop-Script's orders), so every branch of the bundled templates can be reached from
    /// their forms: the watch-shop's partner (utm_source partner42) in Bitrix24.
    /// </summary>
    public void SeedDemoData()
    {
        Bitrix24.AddContact(new System.Text.Json.Nodes.JsonObject { ["NAME"] = "Часовой", ["LAST_NAME"] = "Партнёр", ["UTM_SOURCE"] = "partner42" });
    }

    public static async Task<SimulatorSet> StartAsync()
    {
        var set = new SimulatorSet();
        await Task.WhenAll(set.All.Select(s => s.StartAsync()));
        return set;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in All) await s.DisposeAsync();
    }
}
