using Microsoft.Playwright;
using Nabla.Playground;

namespace Nabla.Tests.Playground;

/// <summary>
/// One playground server on 127.0.0.1 (a free port) and Debian's headless Chromium (<c>/usr/bin/chromium</c>, package
/// <c>chromium</c>) driven by Playwright, shared by the browser tests and closed after them. No browser is downloaded.
/// </summary>
public sealed class PlaygroundBrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public PlaygroundServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the screenshots go: <c>artifacts/playground</c> under the test output directory.</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "playground");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"the browser tests need Debian's Chromium at {ChromiumPath}: apt-get install -y chromium");
        Directory.CreateDirectory(ScreenshotDirectory);
        Server = await PlaygroundServer.StartAsync(new PlaygroundServerOptions { Port = 0 });
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Timeout = 20_000,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    /// <summary>A fresh page (its own session) at the playground, ready to use; <paramref name="beforeLoad"/> sees the page before it loads.</summary>
    public async Task<IPage> OpenAsync(Action<IPage>? beforeLoad = null)
    {
        IPage page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 860 } });
        page.SetDefaultTimeout(10_000);
        beforeLoad?.Invoke(page);
        await page.GotoAsync(Server.Address.ToString());
        await page.WaitForSelectorAsync("body[data-ready=true]");
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
}

[CollectionDefinition(Name)]
public sealed class PlaygroundBrowserGroup : ICollectionFixture<PlaygroundBrowserFixture>
{
    public const string Name = "playground browser";
}
