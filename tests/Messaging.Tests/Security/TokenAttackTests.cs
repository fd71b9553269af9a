using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Messaging.Tests.Support;

namespace Messaging.Tests.Security;

[Collection(ServerCollection.Name)]
public sealed class TokenAttackTests(TestServer server)
{
    public static TheoryData<string, Func<string>> Attacks => new()
    {
        { "alg none", () => TestTokens.Unsigned(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" }, TestTokens.Claims("mallory")) + "." },
        { "alg none, capitalised", () => TestTokens.Unsigned(new Dictionary<string, object> { ["alg"] = "None" }, TestTokens.Claims("mallory")) + "." },
        { "wrong key", () => TestTokens.Hs256(TestTokens.Claims("mallory"), "some-other-key-of-at-least-thirty-two-bytes") },
        { "wrong issuer", () => TestTokens.Hs256(TestTokens.Claims("mallory", issuer: "https://evil.example")) },
        { "wrong audience", () => TestTokens.Hs256(TestTokens.Claims("mallory", audience: "another-api")) },
        { "expired beyond the skew", () => TestTokens.Hs256(TestTokens.Claims("mallory", expires: DateTimeOffset.UtcNow.AddMinutes(-3))) },
        { "not yet valid beyond the skew", () => TestTokens.Hs256(TestTokens.Claims("mallory", notBefore: DateTimeOffset.UtcNow.AddMinutes(5))) },
        { "HS512 with the right key", () => HsOther("HS512") },
        { "tampered payload", Tampered },
        { "no subject", () => TestTokens.Hs256(TestTokens.Claims("mallory").Where(c => c.Key != "sub").ToDictionary()) },
        { "oversized", () => TestTokens.Hs256(new Dictionary<string, object>(TestTokens.Claims("mallory")) { ["pad"] = new string('x', 20_000) }) },
        { "garbage", () => "not.a.jwt" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Hostile_token_is_refused_with_401_by_rest_negotiate_and_hub(string attack, Func<string> token)
    {
        Assert.False(string.IsNullOrEmpty(attack));
        var value = token();
        using var client = server.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", value);

        using var rest = await client.GetAsync("/api/messaging/conversations/");
        Assert.Equal(HttpStatusCode.Unauthorized, rest.StatusCode);
        Assert.Equal("Bearer", rest.Headers.WwwAuthenticate.Single().Scheme);
        Assert.DoesNotContain(value, await rest.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var negotiate = await client.PostAsync("/api/messaging/negotiate", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);

        using var hub = await client.PostAsync("/api/messaging/hub/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => EventClient.ConnectAsync(server.BaseAddress, () => value));
    }

    [Fact]
    public async Task Token_within_the_two_minute_skew_is_accepted()
    {
        using var client = server.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Hs256(TestTokens.Claims("skewed", expires: DateTimeOffset.UtcNow.AddSeconds(-60))));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/messaging/conversations/")).StatusCode);
    }

    [Fact]
    public async Task Token_in_the_wrong_place_is_not_accepted()
    {
        var token = server.TokenFor("alice");
        using var client = server.ClientFor(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/messaging/conversations/?access_token={token}")).StatusCode);

        using var cookie = new HttpRequestMessage(HttpMethod.Get, "/api/messaging/conversations/");
        cookie.Headers.Add("Cookie", $"access_token={token}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(cookie)).StatusCode);

        using var basic = new HttpRequestMessage(HttpMethod.Get, "/api/messaging/conversations/");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:{token}")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(basic)).StatusCode);
    }

    private static string HsOther(string algorithm)
    {
        var unsigned = TestTokens.Unsigned(new Dictionary<string, object> { ["alg"] = algorithm, ["typ"] = "JWT" }, TestTokens.Claims("mallory"));
        return $"{unsigned}.{TestTokens.Encode(HMACSHA512.HashData(Encoding.UTF8.GetBytes(TestServer.SigningKey), Encoding.ASCII.GetBytes(unsigned)))}";
    }

    private static string Tampered()
    {
        var parts = TestTokens.Hs256(TestTokens.Claims("alice")).Split('.');
        var claims = TestTokens.Claims("mallory");
        return $"{parts[0]}.{TestTokens.Encode(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(claims))}.{parts[2]}";
    }
}
