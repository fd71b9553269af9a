using Messaging.Functions.Hosting;

namespace Messaging.Functions.Auth;

/// <summary>The <c>Auth__*</c> settings.</summary>
public sealed class AuthOptions
{
    public const string DevelopmentIssuer = "messaging-dev";
    public const string DefaultAudience = "messaging";
    public const string DefaultUserIdClaim = "sub";

    /// <summary>Claims that may name the user: <c>sub</c> (any issuer) or Entra ID's tenant-wide object id <c>oid</c>.</summary>
    public static readonly IReadOnlyList<string> UserIdClaims = ["sub", "oid"];

    public string? Issuer { get; set; }

    /// <summary>More accepted issuers, comma-separated; accepted together with <see cref="Issuer"/>.</summary>
    public string? Issuers { get; set; }

    public string? Audience { get; set; }

    /// <summary>More accepted audiences, comma-separated; accepted together with <see cref="Audience"/>.</summary>
    public string? Audiences { get; set; }

    /// <summary>Shared HS256 secret, at least 32 bytes.</summary>
    public string? SigningKey { get; set; }

    /// <summary>OpenID Connect authority whose discovery document supplies the signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>When set, the token's <c>scp</c> (space-separated delegated scopes) must contain it.</summary>
    public string? RequiredScope { get; set; }

    /// <summary>The claim whose value is the user id: <c>sub</c> (default) or <c>oid</c>.</summary>
    public string? UserIdClaim { get; set; }

    /// <summary>Every accepted issuer: <see cref="Issuer"/> and the items of <see cref="Issuers"/>.</summary>
    public IReadOnlyList<string> AcceptedIssuers() => Combine(Issuer, Issuers);

    /// <summary>Every accepted audience: <see cref="Audience"/> and the items of <see cref="Audiences"/>, else <see cref="DefaultAudience"/>.</summary>
    public IReadOnlyList<string> AcceptedAudiences() => Combine(Audience, Audiences) is { Count: > 0 } audiences ? audiences : [DefaultAudience];

    public string UserIdClaimOrDefault() => string.IsNullOrWhiteSpace(UserIdClaim) ? DefaultUserIdClaim : UserIdClaim.Trim();

    /// <summary>Throws at start on a configuration that would refuse every token or accept the wrong ones.</summary>
    public void Validate()
    {
        if (!UserIdClaims.Contains(UserIdClaimOrDefault(), StringComparer.Ordinal))
        {
            throw new StartupException($"Auth__UserIdClaim must be one of: {string.Join(", ", UserIdClaims)}.");
        }

        if (!string.IsNullOrWhiteSpace(Authority) && !Uri.TryCreate(Authority, UriKind.Absolute, out _))
        {
            throw new StartupException("Auth__Authority must be an absolute URL.");
        }

        foreach (var issuer in AcceptedIssuers().Where(i => i.Contains(' ', StringComparison.Ordinal)))
        {
            throw new StartupException($"Auth__Issuers: '{issuer}' contains a space; separate issuers with commas.");
        }

        if (RequiredScope is { } scope && scope.Trim().Contains(' ', StringComparison.Ordinal))
        {
            throw new StartupException("Auth__RequiredScope names one scope.");
        }
    }

    private static List<string> Combine(string? single, string? list) =>
        [.. new[] { single }.Concat((list ?? "").Split(',')).Select(v => v?.Trim()).OfType<string>().Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)];
}
