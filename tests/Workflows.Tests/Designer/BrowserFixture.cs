using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Workflows.Tests.Support;

namespace Workflows.Tests.Designer;

/// <summary>
/// One real server (temp SQLite file) and one headless Chromium per fixture; a fresh browser
/// context and page per test. Chromium is Debian's (/usr/bin/chromium): Playwright never
/// downloads a browser here.
/// </summary>
[Category(Categories.Browser)]
public abstract class BrowserFixture
{
    /// <summary>Whether each page starts signed in (the sign-in tests start signed out).</summary>
    protected virtual bool SignIn => true;

    /// <summary>Settings of the fixture's server (e.g. a longer script limit where a test checks results, not speed).</summary>
    protected virtual Dictionary<string, string?> ServerSettings => [];

    public const string ChromiumPath = "/usr/bin/chromium";

    static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    /// <summary>
    /// How long a locator or an expectation waits: a failure detector, not a speed check. The suite
    /// runs four fixtures at once; on two cores opening the 28-node robot call (laid out by ELK on
    /// open) took 3-5.5 s alone and 11-26 s under the suite's load, past an earlier 10 s limit.
    /// </summary>
    const int BrowserTimeoutMs = 30_000;

    IPlaywright? _playwright;
    IBrowser? _browser;
    IBrowserContext? _context;
    readonly List<string> _pageErrors = [];

    protected TestServer Server { get; private set; } = null!;
    protected IPage Page { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAndBrowser()
    {
        if (!File.Exists(ChromiumPath))
            Assert.Fail($"The designer's browser tests need Chromium at {ChromiumPath}, which is missing. Run tests/run.sh (it installs Debian's chromium package), or `apt-get install -y chromium`.");
        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html")))
            Assert.Fail("The designer is not in the test output's wwwroot/: build the server without -p:SkipDesigner=true (`dotnet build`), which runs designer/Designer.targets.");
        Server = await TestServer.StartAsync(ServerSettings);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
        Assertions.SetDefaultExpectTimeout(BrowserTimeoutMs);
    }

    [OneTimeTearDown]
    public async Task StopServerAndBrowser()
    {
        // The browser first: its live streams (server-sent events) would hold the server's shutdown.
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    [SetUp]
    public async Task OpenPage()
    {
        _pageErrors.Clear();
        _context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            DeviceScaleFactor = 1,
        });
        if (SignIn)
        {
            // Signed in as the admin through the API; the context shares the session cookie with its pages.
            var login = await _context.APIRequest.PostAsync("/api/auth/login", new APIRequestContextOptions
            {
                DataObject = new { login = "admin", password = TestServer.AdminPassword },
            });
            Assert.That(login.Ok, Is.True, "signing in the browser failed: " + await login.TextAsync());
        }
        Page = await _context.NewPageAsync();
        Page.SetDefaultTimeout(BrowserTimeoutMs);
        Page.PageError += (_, message) => { lock (_pageErrors) _pageErrors.Add(message); };
    }

    [TearDown]
    public async Task ClosePage()
    {
        if (_context is null) return;
        try
        {
            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            {
                var file = Path.Combine(Path.GetTempPath(), $"designer-{TestContext.CurrentContext.Test.Name}-{Guid.NewGuid():n}.png");
                await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
                TestContext.AddTestAttachment(file, "the page when the test failed");
                TestContext.Out.WriteLine($"Screenshot of the failure: {file}");
            }
        }
        finally
        {
            await _context.CloseAsync();
            _context = null;
        }
        string[] errors;
        lock (_pageErrors) errors = [.. _pageErrors];
        Assert.That(errors, Is.Empty, "uncaught errors in the designer's page");
    }

    // ---- navigation and locators ----

    protected async Task OpenEditor(long convId)
    {
        await Page.GotoAsync($"/processes/{convId}");
        await Assertions.Expect(Page.Locator(".react-flow__node").First).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator(".palette-item").First).ToBeVisibleAsync();
        // The first fitView runs 50 ms after the load; let it settle before measuring positions.
        await WaitForStableBox(Page.Locator(".react-flow__node").First);
    }

    protected ILocator NodeOnCanvas(string id) => Page.Locator($".react-flow__node[data-id='{id}']");

    protected ILocator ExitHandle(string nodeId, string exit) =>
        NodeOnCanvas(nodeId).Locator($".react-flow__handle.source[data-handleid='{exit}']");

    protected ILocator EdgeOnCanvas(string source, string exit) => Page.Locator($".react-flow__edge[data-id='{source}::{exit}']");

    /// <summary>Opens the account menu (top right) and presses one of its buttons.</summary>
    protected async Task AccountMenu(string item)
    {
        var account = Page.GetByTestId("account");
        await account.Locator(".account-toggle").ClickAsync();
        await account.GetByRole(AriaRole.Button, new() { Name = item }).ClickAsync();
    }

    protected ILocator Tab(string label) => Page.Locator("nav.tabs button", new() { HasText = label });

    protected ILocator ToolbarButton(string label) =>
        Page.Locator(".toolbar button", new() { HasTextRegex = new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(label)}$") });

    // ---- mouse gestures ----

    static (float X, float Y) Center(LocatorBoundingBoxResult box) => (box.X + box.Width / 2, box.Y + box.Height / 2);

    protected static async Task<LocatorBoundingBoxResult> Box(ILocator locator) =>
        await locator.BoundingBoxAsync() ?? throw new InvalidOperationException($"{locator} is not visible");

    /// <summary>Waits until an element stops moving (after fitView animations).</summary>
    protected static async Task WaitForStableBox(ILocator locator)
    {
        var last = await Box(locator);
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(75);
            var now = await Box(locator);
            if (Math.Abs(now.X - last.X) < 0.5 && Math.Abs(now.Y - last.Y) < 0.5 && Math.Abs(now.Width - last.Width) < 0.5) return;
            last = now;
        }
    }

    /// <summary>Presses the mouse on a node's exit handle and releases it over another node.</summary>
    protected async Task Connect(string source, string exit, string target)
    {
        var from = Center(await Box(ExitHandle(source, exit)));
        var targetBox = await Box(NodeOnCanvas(target));
        var to = (X: targetBox.X + targetBox.Width / 2, Y: targetBox.Y + 12);
        await Page.Mouse.MoveAsync(from.X, from.Y);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync((from.X + to.X) / 2, (from.Y + to.Y) / 2, new() { Steps = 8 });
        await Page.Mouse.MoveAsync(to.X, to.Y, new() { Steps = 8 });
        await Page.Mouse.UpAsync();
        await Assertions.Expect(EdgeOnCanvas(source, exit)).ToHaveCountAsync(1);
    }

    /// <summary>Drags a node type from the palette and drops it on the canvas at a point of the canvas (0..1 of its size).</summary>
    protected async Task DropFromPalette(string type, double fx, double fy)
    {
        var canvas = Page.Locator(".canvas");
        var box = await Box(canvas);
        await Page.GetByTestId($"palette-{type}").DragToAsync(canvas, new LocatorDragToOptions
        {
            TargetPosition = new TargetPosition { X = (float)(box.Width * fx), Y = (float)(box.Height * fy) },
        });
    }

    // ---- the API, as an outside system ----

    /// <summary>The smallest process: start → done.</summary>
    protected static string StartToFinal(string title) => TestProcesses.Definition(title,
        TestProcesses.Node("start", "start", exits: new JsonObject { ["next"] = "done" }),
        TestProcesses.Final("done"));

    /// <summary>A JSON object from its text (node params and exits in tests).</summary>
    protected static JsonObject P(string json) => JsonNode.Parse(json)!.AsObject();

    protected Task<JsonNode> Process(long convId) => Server.GetJson($"/api/processes/{convId}");

    protected static JsonNode NodeIn(JsonNode process, string id) =>
        process["definition"]!["nodes"]!.AsArray().Single(n => (string?)n!["id"] == id)!;

    static readonly bool WriteScreenshots = Environment.GetEnvironmentVariable("WORKFLOWS_SCREENSHOTS") == "1";

    /// <summary>With WORKFLOWS_SCREENSHOTS=1, writes docs/screenshots/{name}.png.</summary>
    protected async Task Shot(string name)
    {
        if (!WriteScreenshots) return;
        await Task.Delay(400); // fitView animations and the notice fade-in
        var folder = Path.Combine(RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png") });
    }

    /// <summary>The repository root (where Workflows.sln is), for docs/screenshots.</summary>
    protected static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln"))) return dir.FullName;
        throw new InvalidOperationException("Workflows.sln not found above " + AppContext.BaseDirectory);
    }
}
