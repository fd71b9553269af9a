using System.Net;
using System.Net.Http.Headers;
using Messaging.Functions.Hosting;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Messaging.Tests.Api;

/// <summary>
/// The standalone server's web client hosting: development sign-in only in Development with a
/// configured signing key, the built page with its security headers, and no page when there is no build.
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

    [Theory]
    [InlineData("Production", TestServer.SigningKey)]
    [InlineData("Staging", TestServer.SigningKey)]
    [InlineData("Development", null)] // generated development key: no sign-in by name (only a configured key)
    public async Task Dev_token_endpoint_is_404_outside_Development_or_without_a_signing_key(string environment, string? signingKey)
    {
        await using var app = await StartAsync(environment, signingKey);
        using var client = ClientFor(app);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(WebClientHost.DevTokenPath)).StatusCode);
        var (status, _) = await client.PostJsonAsync(WebClientHost.DevTokenPath, new { userId = "mallory" });
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Dev_token_endpoint_in_Development_with_a_signing_key_mints_a_working_token()
    {
        await using var app = await StartAsync("Development", TestServer.SigningKey);
        using var client = ClientFor(app);
        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync(WebClientHost.DevTokenPath)).StatusCode);

        var (status, body) = await client.PostJsonAsync(WebClientHost.DevTokenPath, new { userId = "alice", name = "Alice" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("alice", body.Str("userId"));

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.Str("token"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/messaging/conversations/")).StatusCode);

        var (invalid, problem) = await client.PostJsonAsync(WebClientHost.DevTokenPath, new { userId = "has space" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid);
        Assert.NotNull(problem!["errors"]!["userId"]);
    }

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
    public async Task Server_starts_and_serves_the_API_without_a_web_build()
    {
        await using var app = await StartAsync("Development", TestServer.SigningKey, webRoot: Path.Combine(_dataPath, "no-build"));
        using var client = ClientFor(app);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
    }

    public void Dispose()
    {
        TemporaryFolder.DeleteQuietly(_dataPath);
    }
}
