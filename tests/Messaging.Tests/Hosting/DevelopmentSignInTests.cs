using System.Net;
using System.Net.Http.Headers;
using Messaging.Functions.Auth;
using Messaging.Functions.Hosting;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Messaging.Tests.Hosting;

/// <summary>
/// Development sign-in (POST /dev/token) is on exactly when the standalone server runs on its own
/// generated development key and listens on loopback only: off with a signing key, with an authority,
/// under the Functions host, on App Service, and on any non-loopback address.
/// </summary>
public sealed class DevelopmentSignInTests : IDisposable
{
    private static readonly AuthOptions GeneratedKey = new();
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => TemporaryFolder.DeleteQuietly(_dataPath);

    [Theory]
    [InlineData("http://localhost:7071")]
    [InlineData("http://127.0.0.1:51234")]
    [InlineData("http://[::1]:7071")]
    [InlineData("http://127.0.0.1:1", "http://[::1]:1")]
    public void Is_on_with_the_generated_key_on_loopback_addresses(params string[] addresses)
    {
        var decision = DevelopmentSignIn.Decide(MessagingHost.Standalone, GeneratedKey, addresses, onAppService: false);
        Assert.True(decision.IsOn, decision.Reason);
    }

    [Theory]
    [InlineData("http://0.0.0.0:7071")]
    [InlineData("http://[::]:7071")]
    [InlineData("http://*:7071")]
    [InlineData("http://+:7071")]
    [InlineData("http://192.168.1.20:7071")]
    [InlineData("http://chat.example.com:7071")]
    [InlineData("http://localhost.example.com:7071")]
    [InlineData("http://unix:/tmp/messaging.sock")]
    [InlineData("http://127.0.0.1:7071", "http://0.0.0.0:7072")]
    public void Is_off_when_any_address_is_not_loopback(params string[] addresses)
    {
        var decision = DevelopmentSignIn.Decide(MessagingHost.Standalone, GeneratedKey, addresses, onAppService: false);
        Assert.False(decision.IsOn);
        Assert.Contains("not loopback", decision.Reason);
    }

    [Fact]
    public void Is_off_with_a_configured_signing_key_even_on_loopback()
    {
        var decision = DevelopmentSignIn.Decide(MessagingHost.Standalone, new AuthOptions { SigningKey = TestServer.SigningKey }, ["http://127.0.0.1:7071"], onAppService: false);
        Assert.False(decision.IsOn);
        Assert.Contains("Auth__SigningKey", decision.Reason);
        Assert.DoesNotContain(TestServer.SigningKey, decision.Reason);
    }

    [Fact]
    public void Is_off_with_a_configured_authority_even_on_loopback()
    {
        var decision = DevelopmentSignIn.Decide(MessagingHost.Standalone, new AuthOptions { Authority = "https://login.example.com/tenant/v2.0" }, ["http://127.0.0.1:7071"], onAppService: false);
        Assert.False(decision.IsOn);
        Assert.Contains("Auth__Authority", decision.Reason);
    }

    [Fact]
    public void Is_off_under_the_Functions_host_and_no_function_route_offers_it()
    {
        Assert.False(DevelopmentSignIn.Decide(MessagingHost.Functions, GeneratedKey, ["http://127.0.0.1:7071"], onAppService: false).IsOn);
        Assert.DoesNotContain(FunctionRouteTable.All, route => route.Route.StartsWith("dev", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Is_off_on_App_Service_where_a_platform_proxy_forwards_public_traffic_to_loopback()
    {
        Assert.False(DevelopmentSignIn.Decide(MessagingHost.Standalone, GeneratedKey, ["http://127.0.0.1:7071"], onAppService: true).IsOn);
    }

    [Fact]
    public async Task Server_on_loopback_with_its_generated_key_mints_tokens_that_the_API_accepts()
    {
        await using var app = await StartAsync("http://127.0.0.1:0", signingKey: null, authority: null);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync(DevelopmentSignIn.TokenPath)).StatusCode);

        var (status, body) = await client.PostJsonAsync(DevelopmentSignIn.TokenPath, new { userId = "alice", name = "Alice" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("alice", body.Str("userId"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.Str("token"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/messaging/conversations/")).StatusCode);

        var (invalid, problem) = await client.PostJsonAsync(DevelopmentSignIn.TokenPath, new { userId = "has space" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid);
        Assert.NotNull(problem!["errors"]!["userId"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0", TestServer.SigningKey, null)]
    [InlineData("http://127.0.0.1:0", null, "https://login.example.com/tenant/v2.0")]
    [InlineData("http://0.0.0.0:0", null, null)]
    public async Task Server_answers_404_to_sign_in_with_a_configured_key_or_authority_or_on_all_interfaces(string url, string? signingKey, string? authority)
    {
        await using var app = await StartAsync(url, signingKey, authority);
        var port = new Uri(app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port;
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(DevelopmentSignIn.TokenPath)).StatusCode);
        var (status, _) = await client.PostJsonAsync(DevelopmentSignIn.TokenPath, new { userId = "mallory" });
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    private async Task<WebApplication> StartAsync(string url, string? signingKey, string? authority)
    {
        var app = StandaloneServer.Build(["--urls", url], configuration =>
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Messaging:DataPath"] = _dataPath,
                ["Auth:SigningKey"] = signingKey,
                ["Auth:Authority"] = authority,
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        await app.StartAsync();
        return app;
    }
}
