namespace Messaging.Functions.Auth;

/// <summary>The <c>Auth__*</c> settings.</summary>
public sealed class AuthOptions
{
    public const string DevelopmentIssuer = "messaging-dev";
    public const string DefaultAudience = "messaging";

    public string? Issuer { get; set; }

    public string? Audience { get; set; }

    /// <summary>Shared HS256 secret, at least 32 bytes.</summary>
    public string? SigningKey { get; set; }

    /// <summary>OpenID Connect authority whose discovery document supplies the signing keys.</summary>
    public string? Authority { get; set; }
}
