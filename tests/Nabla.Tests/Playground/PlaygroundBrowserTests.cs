using System.Globalization;
using System.Text;
using Microsoft.Playwright;

namespace Nabla.Tests.Playground;

/// <summary>The playground page in a real browser (Debian's headless Chromium via Playwright); screenshots in artifacts/playground.</summary>
[Collection(PlaygroundBrowserGroup.Name)]
public sealed class PlaygroundBrowserTests(PlaygroundBrowserFixture fixture)
{
    private static double Number(string text) => double.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static async Task<double> ReadAsync(IPage page, string selector) => Number(await page.InnerTextAsync(selector));

    [Fact]
    public async Task Page_Opens_ShowsTheGraphWithValuesAndGradients()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            Assert.Equal(6, await page.Locator("#graph g.node").CountAsync());
            Assert.Equal(4.0, await ReadAsync(page, "#loss-value"));
            Assert.Equal(6.0, await ReadAsync(page, "#grad-value"));
            Assert.Contains("grad 6", await page.TextContentAsync("#node-0"));
            Assert.Contains("L = (w·x − y)²", await page.InnerTextAsync("#formula"));
            Assert.True(await page.IsHiddenAsync("#error"));
            await fixture.ScreenshotAsync(page, "chain-rule");
        }
        finally { await page.CloseAsync(); }
    }

    [Fact]
    public async Task LearningRateSlider_Moved_LossAfterStepChanges()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            string before = await page.InnerTextAsync("#loss-after");
            double lossBefore = await ReadAsync(page, "#loss-value");
            await page.FocusAsync("#lr-slider");
            await page.Keyboard.PressAsync("End");   // η = 1
            await page.WaitForFunctionAsync("b => document.getElementById('loss-after').textContent !== b", before);
            Assert.Equal("1", await page.InnerTextAsync("#lr-value"));
            // w = 2, x = 1.5, y = 1, η = 1: w after = 2 − 6 = −4, L after = (−6 − 1)² = 49.
            Assert.Equal(-4.0, await ReadAsync(page, "#next-w"));
            Assert.Equal(49.0, await ReadAsync(page, "#loss-after"));
            Assert.Equal(lossBefore, await ReadAsync(page, "#loss-value"));
        }
        finally { await page.CloseAsync(); }
    }

    [Fact]
    public async Task Step_Pressed_WMovesAgainstTheGradient()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            double w = await ReadAsync(page, "#w-value"), grad = await ReadAsync(page, "#grad-value"), loss = await ReadAsync(page, "#loss-value");
            Assert.True(grad != 0);
            await page.ClickAsync("#chain-step");
            // The backward pass lights up node by node, starting at L.
            await page.WaitForSelectorAsync("#node-3.active");
            await fixture.ScreenshotAsync(page, "chain-rule-backward");
            await page.WaitForFunctionAsync("() => document.getElementById('chain-steps').textContent === '1'");
            Assert.Equal("5,4,3,2,1,0", await page.EvaluateAsync<string>("() => document.body.dataset.backward"));
            double after = await ReadAsync(page, "#w-value");
            Assert.True(Math.Sign(after - w) == -Math.Sign(grad), $"w went from {w} to {after} with gradient {grad}");
            Assert.True(await ReadAsync(page, "#loss-value") < loss);
            await fixture.ScreenshotAsync(page, "chain-rule-after-step");
        }
        finally { await page.CloseAsync(); }
    }

    [Fact]
    public async Task Network_TrainOnXor_TestLossFallsBelowThreshold()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            await page.ClickAsync("#tab-network");
            await page.SelectOptionAsync("#dataset", "xor");
            await page.WaitForFunctionAsync("() => document.getElementById('epoch').textContent === '0' && document.getElementById('dataset').value === 'xor'");
            double initial = await ReadAsync(page, "#test-loss");
            await page.ClickAsync("#play");
            await page.WaitForFunctionAsync("() => parseFloat(document.getElementById('test-loss').textContent) < 0.25",
                null, new PageWaitForFunctionOptions { Timeout = 15_000 });
            await page.ClickAsync("#play");   // pause
            await page.WaitForFunctionAsync("() => document.getElementById('play').textContent === 'Play'");
            Assert.True(initial > 0.5, $"initial test loss {initial}");
            Assert.True(await ReadAsync(page, "#epoch") > 0);

            // Hovering an edge and a neuron shows its value and gradient.
            await page.HoverAsync("#neuron-1-0");
            Assert.Contains("bias", await page.InnerTextAsync("#tooltip"));
            Assert.Contains("gradient", await page.InnerTextAsync("#tooltip"));
            await fixture.ScreenshotAsync(page, "network-xor-trained");
            await page.Locator("#net line.hit").First.HoverAsync(new LocatorHoverOptions { Force = true });
            await page.WaitForFunctionAsync("() => document.getElementById('tooltip').textContent.startsWith('weight')");
            Assert.Contains("gradient", await page.InnerTextAsync("#tooltip"));
            await page.Mouse.MoveAsync(0, 0);
        }
        finally { await page.CloseAsync(); }
    }

    [Fact]
    public async Task BadCsv_Uploaded_ErrorIsShownInWords()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            await page.ClickAsync("#tab-network");
            await page.SetInputFilesAsync("#csv-file", new FilePayload
            {
                Name = "bad.csv",
                MimeType = "text/csv",
                Buffer = Encoding.UTF8.GetBytes("x1,x2,label\n0.5,0.1,0\n0.2,oops,1\n"),
            });
            await page.WaitForSelectorAsync("#error:not([hidden])");
            string message = await page.InnerTextAsync("#error-text");
            Assert.Contains("bad.csv", message);
            Assert.Contains("cannot read 'oops' as a number", message);
            Assert.Equal("circle", await page.InputValueAsync("#dataset"));
            await fixture.ScreenshotAsync(page, "network-bad-csv");

            // A zero-neuron layer is refused the same way, and the form shows the last good value again.
            await page.FillAsync("#hidden", "4, 0");
            await page.PressAsync("#hidden", "Tab");
            await page.WaitForFunctionAsync("() => document.getElementById('error-text').textContent.includes('hidden layer 2 must have from 1 to 16 neurons')");
            Assert.Equal("4, 4", await page.InputValueAsync("#hidden"));
        }
        finally { await page.CloseAsync(); }
    }

    [Theory]
    [InlineData(0, "16", 16.0, -24.0, 2.0, 3.0, 10.0)]
    [InlineData(1, "0.81", 0.81, -3.6, 0.55, 2.0, 2.0)]
    public async Task Preset_Clicked_ShowsTheWorkedExample(int preset, string lossText, double loss, double gradW, double w, double x, double y)
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            await page.ClickAsync($"#preset-{preset}");
            await page.WaitForFunctionAsync("t => document.getElementById('loss-value').textContent === t", lossText);
            Assert.Equal(loss, await ReadAsync(page, "#loss-value"));
            Assert.Equal(gradW, await ReadAsync(page, "#grad-value"));
            Assert.Equal((w, x, y), (await ReadAsync(page, "#w-value"), await ReadAsync(page, "#x-value"), await ReadAsync(page, "#y-value")));
            Assert.Equal(y, Number(await page.InputValueAsync("#y-slider")));
            Assert.Contains("L = (w·x − y)²", await page.InnerTextAsync("#formula"));
            await fixture.ScreenshotAsync(page, $"chain-rule-preset-{preset}");
        }
        finally { await page.CloseAsync(); }
    }

    [Fact]
    public async Task YSlider_MovedToTheEnd_Reaches10()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            await page.FocusAsync("#y-slider");
            await page.Keyboard.PressAsync("End");
            // w = 2, x = 1.5, y = 10: L = (3 − 10)² = 49, dL/dw = 2·(−7)·1.5 = −21.
            await page.WaitForFunctionAsync("() => document.getElementById('loss-value').textContent === '49'");
            Assert.Equal(10.0, await ReadAsync(page, "#y-value"));
            Assert.Equal(-21.0, await ReadAsync(page, "#grad-value"));
            await page.Keyboard.PressAsync("Home");
            await page.WaitForFunctionAsync("() => document.getElementById('y-value').textContent === '-10'");
        }
        finally { await page.CloseAsync(); }
    }

    [Fact]
    public async Task Logistic_SlidersAtTheirEnds_ShowsFiniteLossAndGradient()
    {
        IPage page = await fixture.OpenAsync();
        try
        {
            await page.SelectOptionAsync("#expression", "logistic");
            await page.WaitForFunctionAsync("() => document.getElementById('formula').textContent.startsWith('L = log')");
            foreach (var (slider, key, value) in new[] { ("#w-slider", "End", "10"), ("#x-slider", "End", "10"), ("#y-slider", "Home", "-10") })
            {
                await page.FocusAsync(slider);
                await page.Keyboard.PressAsync(key);
                await page.WaitForFunctionAsync("([id, v]) => document.getElementById(id).textContent === v", new[] { slider[1..].Replace("slider", "value"), value });
            }
            // q = −y·w·x = 1000: L = 1000, dL/dw = −y·x·σ(1000) = 100; a step with η = 0.1 lands on w = 0.
            await page.WaitForFunctionAsync("() => document.getElementById('loss-value').textContent === '1000'");
            Assert.Equal(100.0, await ReadAsync(page, "#grad-value"));
            Assert.Equal(0.0, await ReadAsync(page, "#next-w"));
            Assert.Equal(10, await page.Locator("#graph g.node").CountAsync());
            await fixture.ScreenshotAsync(page, "chain-rule-logistic-extreme");
        }
        finally { await page.CloseAsync(); }
    }

    [Fact]
    public async Task Page_Loaded_LogsNoConsoleErrorAndEveryRequestSucceeds()
    {
        var problems = new List<string>();
        var icon = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        IPage page = await fixture.OpenAsync(p =>
        {
            p.Console += (_, m) => { if (m.Type is "error" or "warning") lock (problems) problems.Add($"console {m.Type}: {m.Text} ({m.Location})"); };
            p.PageError += (_, e) => { lock (problems) problems.Add($"page error: {e}"); };
            p.RequestFailed += (_, r) => { lock (problems) problems.Add($"request failed: {r.Url} {r.Failure}"); };
            p.Response += (_, r) =>
            {
                if (r.Status >= 400) lock (problems) problems.Add($"{r.Status} for {r.Url}");
                if (r.Url.Contains("/favicon.", StringComparison.Ordinal)) icon.TrySetResult(r.Status);
            };
        });
        try
        {
            // The browser asks for the icon the page links to by itself, while the page loads.
            int status;
            try { status = await icon.Task.WaitAsync(TimeSpan.FromSeconds(10)); }
            catch (TimeoutException) { throw new Xunit.Sdk.XunitException("the page asked for no icon: it needs a <link rel=\"icon\">"); }
            Assert.Equal(200, status);
            await page.ClickAsync("#preset-0");
            await page.WaitForFunctionAsync("() => document.getElementById('loss-value').textContent === '16'");
            await page.ClickAsync("#tab-network");
            await page.WaitForSelectorAsync("#surface");
            lock (problems) Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally { await page.CloseAsync(); }
    }
}
