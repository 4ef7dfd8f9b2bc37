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
