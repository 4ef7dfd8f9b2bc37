using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Server.Auth;

/// <summary>Who may do what: no user, viewer, editor, admin; API keys and cookies; the signed API.</summary>
public sealed class AccessTests
{
    TestServer _server = null!;
    long _conv;
    string _hash = "";

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync();
        (_conv, _hash) = await _server.CreateProcess(Single("set_param", JsonNode.Parse("""{"values":{"a":1}}""")!.AsObject()));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    HttpClient Anonymous() => new() { BaseAddress = _server.BaseAddress };

    HttpClient WithKey(string key)
    {
        var http = Anonymous();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    async Task<JsonNode> NewUser(string login, string role, string? password = null)
    {
        var body = new JsonObject { ["login"] = login, ["role"] = role };
        if (password is not null) body["password"] = password;
        using var response = await _server.Http.PostJsonAsync("/api/users", body.ToJsonString());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Test]
    public async Task Without_a_user_the_management_api_answers_401_but_public_urls_and_health_stay_open()
    {
        using var anonymous = Anonymous();
        foreach (var url in new[] { "/api/processes", "/api/catalog", $"/api/processes/{_conv}/tasks", "/api/users", "/api/credentials" })
        {
            using var response = await anonymous.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), url);
        }
        using (var health = await anonymous.GetAsync("/health")) Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var page = await anonymous.GetAsync("/")) Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // As a shop's form sends it: no JSON content type.
        using var plain = new StringContent("""{"ops":[{"type":"create","obj":"task","data":{}}]}""");
        using var create = await anonymous.PostAsync($"/api/1/json/public/{_conv}/{_hash}", plain);
        Assert.That((string?)JsonNode.Parse(await create.Content.ReadAsStringAsync())!["ops"]![0]!["proc"], Is.EqualTo("ok"));
        using var wrongKey = WithKey("wfk_nope");
        using var refused = await wrongKey.GetAsync("/api/processes");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Viewers_read_editors_change_admins_manage_users_and_credentials()
    {
        var viewer = await NewUser("viewer-" + Guid.NewGuid().ToString("n")[..6], "viewer");
        var editor = await NewUser("editor-" + Guid.NewGuid().ToString("n")[..6], "editor");
        using var asViewer = WithKey((string)viewer["api_key"]!);
        using var asEditor = WithKey((string)editor["api_key"]!);

        using (var read = await asViewer.GetAsync($"/api/processes/{_conv}")) Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var pause = await asViewer.PostAsync($"/api/processes/{_conv}/pause", null)) Assert.That(pause.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using (var pause = await asEditor.PostAsync($"/api/processes/{_conv}/pause", null)) Assert.That(pause.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var resume = await asEditor.PostAsync($"/api/processes/{_conv}/resume", null)) Assert.That(resume.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var users = await asEditor.GetAsync("/api/users")) Assert.That(users.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using (var credentials = await asEditor.GetAsync("/api/credentials")) Assert.That(credentials.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using (var users = await _server.Http.GetAsync("/api/users")) Assert.That(users.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var list = await _server.GetJson("/api/users");
        Assert.That(list.ToJsonString(), Does.Not.Contain("api_key").And.Not.Contain("password_hash"));
    }

    [Test]
    public async Task A_password_signs_in_with_a_cookie_and_a_rotated_key_stops_the_old_one()
    {
        var login = "anna-" + Guid.NewGuid().ToString("n")[..6];
        var created = await NewUser(login, "editor", "correct horse battery");
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies };
        using var browser = new HttpClient(handler) { BaseAddress = _server.BaseAddress };
        using (var bad = await browser.PostJsonAsync("/api/auth/login", $$$"""{"login":"{{{login}}}","password":"wrong"}"""))
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        using (var good = await browser.PostJsonAsync("/api/auth/login", $$$"""{"login":"{{{login}}}","password":"correct horse battery"}"""))
            Assert.That(good.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var me = JsonNode.Parse(await browser.GetStringAsync("/api/auth/me"))!;
        Assert.That((string?)me["role"], Is.EqualTo("editor"));
        var cookie = cookies.GetCookies(_server.BaseAddress).Single();
        Assert.That(cookie.HttpOnly, Is.True);

        var oldKey = (string)created["api_key"]!;
        var rotated = await _server.PostJson($"/api/users/{login}/keys", "");
        using var old = WithKey(oldKey);
        using (var refused = await old.GetAsync("/api/processes")) Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        using var fresh = WithKey((string)rotated["api_key"]!);
        using (var ok = await fresh.GetAsync("/api/processes")) Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Repeated_wrong_passwords_pause_sign_in_for_that_login()
    {
        var login = "guess-" + Guid.NewGuid().ToString("n")[..6];
        await NewUser(login, "viewer", "the right password");
        using var anonymous = Anonymous();
        async Task<HttpStatusCode> Try(string password)
        {
            using var response = await anonymous.PostJsonAsync("/api/auth/login", $$$"""{"login":"{{{login}}}","password":"{{{password}}}"}""");
            return response.StatusCode;
        }
        for (var i = 0; i < 5; i++) Assert.That(await Try("guess" + i), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await Try("the right password"), Is.EqualTo((HttpStatusCode)429), "even the right password waits out the pause");
        // Another login is not affected.
        var other = "other-" + Guid.NewGuid().ToString("n")[..6];
        await NewUser(other, "viewer", "another good password");
        using var response = await anonymous.PostJsonAsync("/api/auth/login", $$$"""{"login":"{{{other}}}","password":"another good password"}""");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "Signs as Corezoid's signed API defines it (SHA-1).")]
    public async Task The_signed_api_checks_the_signature_the_time_window_and_replays()
    {
        var login = "shop-" + Guid.NewGuid().ToString("n")[..6];
        var secret = (string)(await NewUser(login, "editor"))["api_secret"]!;
        using var anonymous = Anonymous();
        var body = $$$"""{"ops":[{"type":"create","obj":"task","conv_id":{{{_conv}}},"data":{"signed":true}}]}""";

        async Task<(HttpStatusCode, JsonNode)> Send(long time, string key, string text)
        {
            var signature = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(time + key + text + key)));
            using var response = await anonymous.PostJsonAsync($"/api/2/json/{login}/{time}/{signature.ToUpperInvariant()}", text);
            return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (status, answer) = await Send(now, secret, body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
        Assert.That((string?)answer["ops"]![0]!["proc"], Is.EqualTo("ok"));

        var (replayed, replay) = await Send(now, secret, body);
        Assert.That(replayed, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((string?)replay["description"], Does.Contain("already used"));

        var (stale, old) = await Send(now - 3600, secret, body);
        Assert.That(stale, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((string?)old["description"], Does.Contain("clock"));

        var (forged, _) = await Send(now, "not-the-secret", body);
        Assert.That(forged, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
