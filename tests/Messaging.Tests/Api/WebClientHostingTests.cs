using System.Net;
using Messaging.Functions.Hosting;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Messaging.Tests.Api;

/// <summary>
/// The standalone server's web client hosting: the built page with its security headers, and a page
/// that says how to build it when there is no build. Development sign-in: DevelopmentSignInTests.
/// </summary>
public sealed class WebClientHostingTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));
    private readonly string _webRoot;

    public WebClientHostingTests()
    {
        _webRoot = Path.Combine(_dataPath, "web");
        Directory.CreateDirectory(Path.Combine(_webRoot, "assets"));
        File.WriteAllText(Path.Combine(_webRoot, "index.html"), "<!doctype html><title>Messaging</title>");
        File.WriteAllText(Path.Combine(_webRoot, "assets", "app.js"), "export {};");
    }

    private async Task<WebApplication> StartAsync(string environment, string? signingKey, string? webRoot = null)
    {
        var app = StandaloneServer.Build(["--urls", "http://127.0.0.1:0", "--environment", environment], configuration =>
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Messaging:DataPath"] = _dataPath,
                ["Auth:SigningKey"] = signingKey,
                ["Web:Root"] = webRoot ?? _webRoot,
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        await app.StartAsync();
        return app;
    }

    private static HttpClient ClientFor(WebApplication app) => new() { BaseAddress = new Uri(app.Urls.First()) };

    [Fact]
    public async Task Page_is_served_with_nosniff_and_a_strict_CSP_and_client_paths_fall_back_to_it()
    {
        await using var app = await StartAsync("Production", TestServer.SigningKey);
        using var client = ClientFor(app);
        foreach (var path in new[] { "/", "/conversations/abc" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<title>Messaging</title>", await response.Content.ReadAsStringAsync());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self'", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.DoesNotContain("unsafe", csp);
        }

        using var asset = await client.GetAsync("/assets/app.js");
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/missing.js")).StatusCode);

        // API paths never fall back to the page.
        using var api = await client.GetAsync("/api/messaging/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.NotEqual("text/html", api.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public async Task Without_a_web_build_the_root_says_what_to_install_and_which_command_builds_it()
    {
        await using var app = await StartAsync("Production", TestServer.SigningKey, webRoot: Path.Combine(_dataPath, "no-build"));
        using var client = ClientFor(app);
        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Node.js", html);
        Assert.Contains("dotnet run --project src/Messaging.Functions", html);
        Assert.Contains("npm ci &amp;&amp; npm run build", html);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());

        // The API is unaffected, and files that do not exist stay 404.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/assets/app.js")).StatusCode);
        using var api = await client.GetAsync("/api/messaging/no-such-route");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.NotEqual("text/html", api.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose()
    {
        TemporaryFolder.DeleteQuietly(_dataPath);
    }
}
