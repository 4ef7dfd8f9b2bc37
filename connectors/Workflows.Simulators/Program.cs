namespace Workflows.Simulators;

/// <summary>Runs every simulator and prints where they listen; Ctrl+C stops them.</summary>
public static class Program
{
    public static async Task Main()
    {
        await using var set = await SimulatorSet.StartAsync();
        Console.WriteLine($"bitrix24   {set.Bitrix24.Base}/rest/{Bitrix24Simulator.WebhookUser}/{Bitrix24Simulator.WebhookCode}/");
        Console.WriteLine($"voximplant {set.VoxImplant.Base}/platform_api (account_id {VoxImplantSimulator.AccountId})");
        Console.WriteLine($"telegram   {set.Telegram.Base} (token {TelegramSimulator.Token})");
        Console.WriteLine($"sms        {set.Sms.Base}/sms/send (api_id {SmsSimulator.ApiId})");
        Console.WriteLine($"smtp       127.0.0.1:{set.Smtp.SmtpPort} (sent: {set.Smtp.Base}/sent)");
        Console.WriteLine($"retailcrm  {set.RetailCrm.Base}/api/v5");
        Console.WriteLine($"moysklad   {set.MoySklad.Base}/api/remap/1.2");
        Console.WriteLine($"shopscript {set.ShopScript.Base}/api.php (access_token {ShopScriptSimulator.AccessToken})");
        Console.WriteLine($"beeline    {set.Beeline.Base}/apis/portal (X-MPBX-API-AUTH-TOKEN {BeelineSimulator.Token})");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
    }
}
