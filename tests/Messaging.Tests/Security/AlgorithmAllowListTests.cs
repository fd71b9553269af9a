using System.Security.Cryptography;
using System.Text;
using Messaging.Functions.Auth;
using Messaging.Tests.Support;

namespace Messaging.Tests.Security;

/// <summary>
/// The shared-key algorithm allow-list on its own. The server-level attack in <see cref="TokenAttackTests"/>
/// ("HS512 with the right key") is also refused by the token library because the test key (47 bytes) is
/// too short for HS512, so it cannot tell whether the allow-list is there; here the key is long enough
/// for every HMAC algorithm, and only the allow-list refuses HS384 and HS512.
/// </summary>
public sealed class AlgorithmAllowListTests : IDisposable
{
    private const string LongKey = "a-shared-signing-key-of-at-least-sixty-four-bytes-for-hs512-tokens!!";
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-alg", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        TemporaryFolder.DeleteQuietly(_dataPath);
    }

    private TokenValidator Validator() => new(new AuthOptions { SigningKey = LongKey, Issuer = TestServer.Issuer, Audience = TestServer.Audience }, _dataPath);

    [Fact]
    public async Task Hs256_with_the_long_key_is_accepted()
    {
        Assert.True(Encoding.UTF8.GetByteCount(LongKey) >= 64);
        var token = TestTokens.Hs256(TestTokens.Claims("alice"), Encoding.UTF8.GetBytes(LongKey));
        Assert.True((await Validator().ValidateAsync(token)).IsValid);
    }

    [Theory]
    [InlineData("HS384")]
    [InlineData("HS512")]
    public async Task Other_hmac_algorithms_with_the_right_key_are_refused(string algorithm)
    {
        var unsigned = TestTokens.Unsigned(new Dictionary<string, object> { ["alg"] = algorithm, ["typ"] = "JWT" }, TestTokens.Claims("mallory"));
        var key = Encoding.UTF8.GetBytes(LongKey);
        var mac = algorithm == "HS384" ? HMACSHA384.HashData(key, Encoding.ASCII.GetBytes(unsigned)) : HMACSHA512.HashData(key, Encoding.ASCII.GetBytes(unsigned));
        var validation = await Validator().ValidateAsync($"{unsigned}.{TestTokens.Encode(mac)}");
        Assert.False(validation.IsValid);
    }

    [Fact]
    public async Task Accepted_token_gives_a_principal_with_only_the_subject_and_name()
    {
        var claims = TestTokens.Claims("alice");
        claims["name"] = "Alice";
        claims["email"] = "alice@example.com";
        var token = TestTokens.Hs256(claims, Encoding.UTF8.GetBytes(LongKey));

        var principal = (await Validator().ValidateAsync(token)).Principal!;

        Assert.Equal([("sub", "alice"), ("name", "Alice")], principal.Claims.Select(c => (c.Type, c.Value)));
        Assert.True(principal.Identity!.IsAuthenticated);
        Assert.Equal("Alice", principal.Identity.Name);
        Assert.Null(((System.Security.Claims.ClaimsIdentity)principal.Identity).BootstrapContext);
    }
}
