using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Messaging.Tests.Support;

/// <summary>Hand-made JWTs, for tokens that no well-behaved issuer would produce.</summary>
public static class TestTokens
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Dictionary<string, object> Claims(string subject, DateTimeOffset? expires = null, DateTimeOffset? notBefore = null, string issuer = TestServer.Issuer, string audience = TestServer.Audience) => new()
    {
        ["sub"] = subject,
        ["iss"] = issuer,
        ["aud"] = audience,
        ["iat"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(),
        ["nbf"] = (notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-1)).ToUnixTimeSeconds(),
        ["exp"] = (expires ?? DateTimeOffset.UtcNow.AddHours(1)).ToUnixTimeSeconds(),
    };

    public static string Hs256(IDictionary<string, object> claims, string key = TestServer.SigningKey) =>
        Hs256(claims, Encoding.UTF8.GetBytes(key));

    public static string Hs256(IDictionary<string, object> claims, byte[] key, string algorithm = "HS256")
    {
        var unsigned = Unsigned(new Dictionary<string, object> { ["alg"] = algorithm, ["typ"] = "JWT" }, claims);
        return $"{unsigned}.{Encode(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(unsigned)))}";
    }

    public static string Unsigned(IDictionary<string, object> header, IDictionary<string, object> claims) =>
        $"{Encode(JsonSerializer.SerializeToUtf8Bytes(header))}.{Encode(JsonSerializer.SerializeToUtf8Bytes(claims))}";
}
