using System.Text.Json.Nodes;
using Workflows.Simulators;
using static Workflows.Tests.Connectors.ConnectorsEnvironment;

namespace Workflows.Tests.Connectors.Email;

public sealed class EmailTests
{
    static JsonObject Params(string credential, string to = "{{email}}") => new()
    {
        ["credential"] = credential, ["to"] = to, ["subject"] = "Заказ {{order}}", ["body"] = "<b>Hello {{name}}</b>", ["html"] = true,
    };
    static JsonObject Data => new() { ["email"] = "client@example.com", ["order"] = "A-5", ["name"] = "Ivan" };

    [Test]
    public async Task Sends_an_html_mail()
    {
        var task = await Run("email.send", Params("demo-smtp"), Data);
        Succeeded(task, "smtp");
        var sent = await SentBy(Sims.Smtp);
        var mail = sent.Last(s => (string?)s!["subject"] == "Заказ A-5");
        Assert.That((string?)mail!["to"]![0], Is.EqualTo("client@example.com"));
        Assert.That((bool)mail["html"]!, Is.True);
        Assert.That((string?)mail["body"], Does.Contain("<b>Hello Ivan</b>"));
    }

    [Test]
    public async Task A_test_task_sends_no_mail_and_takes_the_pinned_status_as_the_servers()
    {
        var sentBefore = (await SentBy(Sims.Smtp)).Count;
        var (conv, _) = await TestHost.CreateProcess(Support.TestProcesses.Definition("email test run",
            Support.TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "n" }),
            Support.TestProcesses.Node("n", "email.send", Params("demo-smtp"), new JsonObject { ["next"] = "ok", ["error"] = "err" }),
            Support.TestProcesses.Final("ok"), Support.TestProcesses.Final("err", "error")));
        async Task<JsonNode> RunTest(string test)
        {
            var created = await TestHost.PostJson($"/api/processes/{conv}/tasks", new JsonObject { ["data"] = Data, ["test"] = JsonNode.Parse(test) }.ToJsonString());
            return await TestHost.WaitFor((string)created["obj_id"]!);
        }

        Succeeded(await RunTest("""{"answers": {"n": {"status": 250}}}"""), "smtp");
        var refused = await RunTest("""{"answers": {"n": {"status": 550}}}""");
        FailedWith(refused, "smtp", "software", "smtp_550");
        FailedWith(await RunTest("{}"), "smtp", "software", "blocked_address");
        Assert.That((await SentBy(Sims.Smtp)).Count, Is.EqualTo(sentBefore), "the SMTP simulator got a mail from a test task");
    }

    [Test]
    public async Task Wrong_password_is_a_software_auth_error()
    {
        var task = await Run("email.send", Params("bad-smtp"), Data);
        FailedWith(task, "smtp", "software", "auth_failed");
        Assert.That(ErrorText(task, "smtp"), Does.Not.Contain("wrong"));
    }

    [Test]
    public async Task Service_unavailable_is_retried_then_sent()
    {
        Sims.Smtp.FailNext = 2;
        var task = await Run("email.send", Params("demo-smtp"), Data);
        Succeeded(task, "smtp");
    }

    [Test]
    public async Task UTF8_names_and_subject_and_an_HTML_body_with_its_text_alternative()
    {
        await PutCredential("named-smtp", "smtp", new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1", ["port"] = Sims.Smtp.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ["security"] = "none",
            ["username"] = SmtpSimulator.User, ["password"] = SmtpSimulator.Password, ["from"] = $"Унитаз-Дешево.РФ <{SmtpSimulator.User}>",
        });
        var task = await Run("email.send", new JsonObject
        {
            ["credential"] = "named-smtp", ["to"] = "Иван Петров <ivan@example.com>", ["subject"] = "Заказ №{{order}} подтверждён ✓",
            ["body"] = "<p>Здравствуйте, <b>{{name}}</b>!</p><p>Мастер приедет завтра &amp; позвонит.</p>", ["html"] = true,
        }, Data);
        Succeeded(task, "smtp");
        var mail = (await SentBy(Sims.Smtp)).Last(s => ((string?)s!["subject"] ?? "").Contains("A-5 подтверждён", StringComparison.Ordinal))!;
        Assert.That((string?)mail["subject"], Is.EqualTo("Заказ №A-5 подтверждён ✓"));
        Assert.That((string?)mail["raw_headers"], Does.Contain("=?utf-8?").IgnoreCase, "non-ASCII headers travel as RFC 2047 words");
        Assert.That((string?)mail["from_name"], Is.EqualTo("Унитаз-Дешево.РФ"));
        Assert.That((string?)mail["to_names"]![0], Is.EqualTo("Иван Петров"));
        Assert.That((string?)mail["content_type"], Is.EqualTo("multipart/alternative"));
        Assert.That((string?)mail["body"], Does.Contain("<b>Ivan</b>"));
        Assert.That((string?)mail["text"], Is.EqualTo("Здравствуйте, Ivan!\nМастер приедет завтра & позвонит."));
        Assert.That((bool?)mail["tls"], Is.False);
    }

    [TestCase("starttls", false)]
    [TestCase("ssl", true)]
    public async Task STARTTLS_and_SSL_with_a_pinned_certificate(string security, bool sslPort)
    {
        var name = $"tls-smtp-{security}";
        await PutCredential(name, "smtp", new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1", ["port"] = (sslPort ? Sims.Smtp.SslPort : Sims.Smtp.SmtpPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["security"] = security, ["certificate_sha256"] = Sims.Smtp.CertificateSha256,
            ["username"] = SmtpSimulator.User, ["password"] = SmtpSimulator.Password, ["from"] = SmtpSimulator.User,
        });
        var task = await Run("email.send", new JsonObject { ["credential"] = name, ["to"] = "tls@example.com", ["subject"] = $"over {security}", ["body"] = "plain text" }, Data);
        Succeeded(task, "smtp");
        var mail = (await SentBy(Sims.Smtp)).Last(s => (string?)s!["subject"] == $"over {security}")!;
        Assert.That((bool?)mail["tls"], Is.True);
        Assert.That((string?)mail["content_type"], Is.EqualTo("text/plain"));
        Assert.That((string?)mail["body"], Does.Contain("plain text"));
    }

    [Test]
    public async Task An_untrusted_certificate_is_a_permanent_TLS_error()
    {
        await PutCredential("untrusted-smtp", "smtp", new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1", ["port"] = Sims.Smtp.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ["security"] = "starttls",
            ["username"] = SmtpSimulator.User, ["password"] = SmtpSimulator.Password, ["from"] = SmtpSimulator.User,
        });
        var task = await Run("email.send", new JsonObject { ["credential"] = "untrusted-smtp", ["to"] = "x@example.com", ["subject"] = "s", ["body"] = "b" }, Data);
        FailedWith(task, "smtp", "software", "tls_failed");
    }

    [Test]
    public async Task Rejected_recipient_is_permanent()
    {
        var task = await Run("email.send", Params("demo-smtp", "reject@example.com"), Data);
        FailedWith(task, "smtp", "software", "recipient_rejected");
    }
}
