using System.Net;
using System.Text.Json.Nodes;
using Workflows.Engine.Security;
using Workflows.Tests.Support;
using static Workflows.Tests.Support.TestProcesses;

namespace Workflows.Tests.Engine.Security;

/// <summary>API-call nodes cannot reach this machine or the private network unless allowed.</summary>
public sealed class OutboundGuardTests
{
    [TestCase("127.0.0.1", true)]
    [TestCase("10.1.2.3", true)]
    [TestCase("172.20.0.1", true)]
    [TestCase("192.168.1.1", true)]
    [TestCase("169.254.169.254", true)]
    [TestCase("100.64.0.1", true)]
    [TestCase("0.0.0.0", true)]
    [TestCase("::1", true)]
    [TestCase("fe80::1", true)]
    [TestCase("fd00::1", true)]
    [TestCase("::ffff:127.0.0.1", true)]
    [TestCase("8.8.8.8", false)]
    [TestCase("172.32.0.1", false)]
    [TestCase("2a00:1450::1", false)]
    public void Internal_addresses_are_recognised(string address, bool expected) =>
        Assert.That(new OutboundGuard([]).IsAllowed(IPAddress.Parse(address)), Is.EqualTo(!expected));

    [Test]
    public void The_allow_list_opens_ranges_and_addresses()
    {
        var guard = new OutboundGuard(["10.1.2.0/24", "192.168.5.5"]);
        Assert.That(guard.IsAllowed(IPAddress.Parse("10.1.2.77")), Is.True);
        Assert.That(guard.IsAllowed(IPAddress.Parse("10.1.3.1")), Is.False);
        Assert.That(guard.IsAllowed(IPAddress.Parse("192.168.5.5")), Is.True);
        Assert.That(guard.IsAllowed(IPAddress.Parse("192.168.5.6")), Is.False);
    }

    [Test]
    public async Task An_api_call_to_loopback_is_blocked_by_default_and_so_is_a_redirect_into_the_network()
    {
        await using var fake = await FakeService.StartAsync();
        // No allow list at all: the fake service on 127.0.0.1 is out of reach.
        await using (var strict = await TestServer.StartAsync(new() { ["Workflows:OutboundAllow:0"] = "203.0.113.1" }))
        {
            var (conv, hash) = await strict.CreateProcess(Single("api", new JsonObject { ["method"] = "GET", ["url"] = fake.Url("/order/1") }));
            var task = await strict.WaitFor(await strict.CreateTask(conv, hash, []));
            Assert.That((string?)task["data"]!["__conveyor_api_return_type_tag__"], Is.EqualTo("blocked_address"));
            Assert.That((string?)task["data"]!["__conveyor_api_return_type_error__"], Is.EqualTo("software"));
            Assert.That(fake.Calls, Is.Zero);
        }
        // Loopback allowed (as the tests do), but a redirect to the cloud metadata address is still refused.
        await using var server = await TestServer.StartAsync();
        var (conv2, hash2) = await server.CreateProcess(Single("api", new JsonObject { ["method"] = "GET", ["url"] = fake.Url("/redirect?to=http://169.254.169.254/latest/meta-data/") }));
        var redirected = await server.WaitFor(await server.CreateTask(conv2, hash2, []));
        Assert.That((string?)redirected["data"]!["__conveyor_api_return_type_tag__"], Is.EqualTo("blocked_address"));
        Assert.That((string?)redirected["data"]!["__conveyor_api_return_description__"], Does.Contain("169.254.169.254"));
    }
}
