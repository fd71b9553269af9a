using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Messaging.Functions.Auth;

/// <summary>Mints HS256 tokens with the configured (or development) key: the <c>token</c> command and tests use it.</summary>
public static class TokenIssuer
{
    public static string Issue(AuthOptions options, string dataPath, string userId, string? displayName, TimeSpan lifetime)
    {
        if (!string.IsNullOrWhiteSpace(options.Authority) && string.IsNullOrWhiteSpace(options.SigningKey))
        {
            throw new InvalidOperationException("Tokens come from the OpenID Connect authority (Auth__Authority); this server cannot mint them.");
        }

        var claims = new List<Claim> { new("sub", userId) };
        if (!string.IsNullOrWhiteSpace(displayName))
        {
            claims.Add(new Claim("name", displayName));
        }

        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = TokenValidator.IssuerFor(options),
            Audience = string.IsNullOrWhiteSpace(options.Audience) ? AuthOptions.DefaultAudience : options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(SigningKeys.Resolve(options, dataPath)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
