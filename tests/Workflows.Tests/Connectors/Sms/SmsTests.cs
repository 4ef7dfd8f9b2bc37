using System.Text.Json.Nodes;
using Workflows.Simulators;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.Sms;

public sealed class SmsTests
{
    static JsonObject Params(string credential) => new() { ["credential"] = credential, ["text"] = "Order {{order}} confirmed" };
    static JsonObject Data(string phone = "+7 (916) 123-45-67") => new() { ["phone"] = phone, ["order"] = "A-9" };

    [Test]
    public async Task Sends_through_the_default_profile()
    {
        var task = await Run("sms.send", Params("demo-sms"), Data());
        Succeeded(task, "sms");
        Assert.That((string?)task["data"]!["sms_id"], Is.Not.Empty);
        var sent = await SentBy(Sims.Sms);
        Assert.That(sent.Any(s => (string?)s!["to"] == "79161234567" && (string?)s["text"] == "Order A-9 confirmed"), Is.True);
    }

    [Test]
    public async Task Wrong_api_id_is_a_software_auth_error()
    {
        var task = await Run("sms.send", Params("bad-sms"), Data());
        FailedWith(task, "sms", "software", "auth_failed");
        Assert.That(ErrorText(task, "sms"), Does.Contain("api_id"));
    }

    [Test]
    public async Task Temporarily_unavailable_is_retried_then_sent()
    {
        Sims.Sms.FailNext = 2;
        var task = await Run("sms.send", Params("demo-sms"), Data());
        Succeeded(task, "sms");
    }

    [Test]
    public async Task Bad_number_is_permanent()
    {
        var task = await Run("sms.send", Params("demo-sms"), Data("12"));
        FailedWith(task, "sms", "software", "sms_202");
    }
}
