using ClawSharp.Gateway.Configuration;
using ClawSharp.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClawSharp.Tests.EndToEnd;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium, headless, through Playwright) against a real
/// gateway: each step leaves a screenshot under <c>artifacts/test-screenshots/</c>.
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string NoCooldown = """{ "gateway": { "reload": { "cooldownMs": 0 } } }""";
    private static readonly LocatorAssertionsToContainTextOptions Soon = new() { Timeout = 20_000 };
    private static readonly LocatorAssertionsToContainTextOptions ThroughARestart = new() { Timeout = 40_000 };

    [Fact]
    public async Task SafeRestartFromThePage_ShowsTheBlocker_FollowsTheDrain_AndTheGatewayComesBackWithTheReply()
    {
        var shots = HeadlessChromium.ScreenshotDirectory("dashboard-safe-restart");
        using var home = new TempHome();
        home.WriteConfig(NoCooldown);
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 1400 } });
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") { errors.Add(message.Text); } };
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync($"http://127.0.0.1:{gateway.Port}/");
        await Expect(page.Locator("#token-form")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "01-sign-in.png") });
        await page.FillAsync("#token", TokenStore.TryRead(home.State)!);
        await page.ClickAsync("#token-submit");
        await Expect(page.Locator("#state")).ToContainTextAsync("Running", Soon);
        await Expect(page.Locator("#pid")).ToHaveTextAsync(gateway.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#log-lines")).ToContainTextAsync("gateway ready on", Soon);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "02-status.png"), FullPage = true });

        var send = await CliRun.RunAsync(home, "send", "/delay 7000 answered across the restart", "--session", "dashboard");
        Assert.True(send.ExitCode == 0, send.ToString());
        await Expect(page.Locator("#work-runs")).ToHaveTextAsync("1", new() { Timeout = 20_000 });
        await Expect(page.Locator("#blockers")).ToContainTextAsync("1 active embedded run(s)", Soon);

        await page.ClickAsync("#restart-safe");
        await Expect(page.Locator("#ask")).ToBeVisibleAsync();
        await Expect(page.Locator("#ask-body")).ToContainTextAsync("1 active embedded run(s)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "03-confirm.png") });
        await page.ClickAsync("#ask-confirm");

        await Expect(page.Locator("#restart-progress")).ToContainTextAsync("Restart deferred until active work drains", Soon);
        await Expect(page.Locator("#restart-progress")).ToContainTextAsync("1 active embedded run(s)", Soon);
        await Expect(page.Locator("#state")).ToContainTextAsync("Draining", Soon);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "04-draining.png"), FullPage = true });

        await Expect(page.Locator("#restart-progress")).ToContainTextAsync("The gateway is back", ThroughARestart);
        await Expect(page.Locator("#connection")).ToContainTextAsync("Reconnected: the gateway is back", Soon);
        var status = await CliRun.CallAsync(home, "status");
        var newPid = status.GetProperty("pid").GetInt32();
        Assert.True(newPid != gateway.Pid || status.GetProperty("restarts").GetInt32() == 1, status.ToString());
        await Expect(page.Locator("#pid")).ToHaveTextAsync(newPid.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
        await Expect(page.Locator("#messages")).ToContainTextAsync("answered across the restart", Soon);
        await Expect(page.Locator("#chart-restarts-caption")).ToContainTextAsync("1 in the last hour", Soon);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "05-back-with-the-reply.png"), FullPage = true });

        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task OnAPhoneWideScreen_ThePageHasNoHorizontalScroll_AndStatesAreWords()
    {
        var shots = HeadlessChromium.ScreenshotDirectory("dashboard-phone");
        using var home = new TempHome();
        await using var gateway = await GatewayProcess.StartGatewayAsync(home);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 360, Height = 740 } });

        await page.GotoAsync($"http://127.0.0.1:{gateway.Port}/");
        await page.FillAsync("#token", TokenStore.TryRead(home.State)!);
        await page.ClickAsync("#token-submit");
        await Expect(page.Locator("#state")).ToHaveTextAsync("Running", new() { Timeout = 20_000 });
        await Expect(page.Locator("#connection")).ToContainTextAsync("Connected to gateway", Soon);
        await Expect(page.Locator("#log-lines")).ToContainTextAsync("gateway ready on", Soon);

        var widths = await page.EvaluateAsync<int[]>("[document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"the page is {widths[0]} px wide in a {widths[1]} px window");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "phone-360.png"), FullPage = true });

        // The token is kept for the tab: a reload connects without asking again.
        await page.ReloadAsync();
        await Expect(page.Locator("#state")).ToHaveTextAsync("Running", new() { Timeout = 20_000 });
        await Expect(page.Locator("#token-form")).ToBeHiddenAsync();
    }
}
