using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Messaging.Functions.Auth;

/// <summary>The outcome of validating a bearer token.</summary>
public sealed record TokenValidation(ClaimsPrincipal? Principal, string? Failure)
{
    public bool IsValid => Principal is not null;
}

/// <summary>
/// Validates bearer tokens for both hosts: signature, algorithm, issuer (one of the configured
/// ones), audience (one of the configured ones) and lifetime (at most two minutes of clock skew),
/// the required scope when one is configured, and requires the user id claim (<c>sub</c> or <c>oid</c>).
/// </summary>
public sealed class TokenValidator
{
    public const int MaxTokenBytes = 16 * 1024;
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = MaxTokenBytes };
    private readonly TokenValidationParameters _parameters;
    private readonly string _userIdClaim;
    private readonly string? _requiredScope;

    public TokenValidator(AuthOptions options, string dataPath)
    {
        options.Validate();
        _userIdClaim = options.UserIdClaimOrDefault();
        _requiredScope = string.IsNullOrWhiteSpace(options.RequiredScope) ? null : options.RequiredScope.Trim();
        var issuers = options.AcceptedIssuers();
        _parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = ClockSkew,
            ValidAudiences = options.AcceptedAudiences(),
            NameClaimType = "name",
        };

        if (!string.IsNullOrWhiteSpace(options.Authority))
        {
            var authority = options.Authority.TrimEnd('/');
            var retriever = new HttpDocumentRetriever { RequireHttps = authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase) };
            _parameters.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                $"{authority}/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), retriever);
            _parameters.ValidAlgorithms = AsymmetricAlgorithms;
            // None configured: the discovery document's issuer. Entra ID's v2.0 document names the v2.0
            // issuer only, so v1.0 tokens (issuer https://sts.windows.net/<tenant>/) need it listed.
            if (issuers.Count > 0)
            {
                _parameters.ValidIssuers = issuers;
            }
        }
        else
        {
            _parameters.IssuerSigningKey = new SymmetricSecurityKey(SigningKeys.Resolve(options, dataPath));
            _parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            _parameters.ValidIssuers = issuers.Count > 0 ? issuers : [IssuerFor(options)];
        }
    }

    public static string IssuerFor(AuthOptions options) =>
        !string.IsNullOrWhiteSpace(options.Issuer) ? options.Issuer
        : SigningKeys.IsDevelopmentMode(options) ? AuthOptions.DevelopmentIssuer
        : "messaging-local";

    /// <summary>Validates the token from an <c>Authorization: Bearer</c> header value.</summary>
    public Task<TokenValidation> ValidateAuthorizationHeaderAsync(string? authorization)
    {
        const string scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization))
        {
            return Task.FromResult(new TokenValidation(null, "A bearer token is required."));
        }

        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(new TokenValidation(null, "The Authorization header must use the Bearer scheme."));
        }

        return ValidateAsync(authorization[scheme.Length..].Trim());
    }

    public async Task<TokenValidation> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new TokenValidation(null, "A bearer token is required.");
        }

        if (token.Length > MaxTokenBytes)
        {
            return new TokenValidation(null, "The bearer token is too large.");
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            return new TokenValidation(null, Describe(result.Exception));
        }

        var subject = result.ClaimsIdentity.FindFirst(_userIdClaim)?.Value;
        if (!Messaging.Domain.Common.Ids.IsWellFormed(subject))
        {
            return new TokenValidation(null, $"The token has no valid '{_userIdClaim}' claim.");
        }

        if (_requiredScope is not null && !HasScope(result.ClaimsIdentity, _requiredScope))
        {
            return new TokenValidation(null, $"The token does not carry the scope '{_requiredScope}'.");
        }

        return new TokenValidation(new ClaimsPrincipal(LeanIdentity(subject!, result.ClaimsIdentity.FindFirst("name")?.Value)), null);
    }

    private static bool HasScope(ClaimsIdentity identity, string scope) =>
        identity.FindAll("scp").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Contains(scope, StringComparer.Ordinal);

    // Only what the service reads; the user id is kept as "sub" whichever claim carried it. The library's identity keeps the whole parsed token, and a
    // SignalR connection holds its principal for as long as it stays open.
    private static ClaimsIdentity LeanIdentity(string subject, string? name)
    {
        List<Claim> claims = [new("sub", subject)];
        if (name is not null)
        {
            claims.Add(new Claim("name", name));
        }

        return new ClaimsIdentity(claims, authenticationType: "Bearer", nameType: "name", roleType: "roles");
    }

    // Reasons a client can act on, without echoing the token or key material.
    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not yet valid.",
        SecurityTokenInvalidAudienceException => "The token's audience is not accepted.",
        SecurityTokenInvalidIssuerException => "The token's issuer is not accepted.",
        SecurityTokenInvalidAlgorithmException => "The token's signing algorithm is not accepted.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature is invalid.",
        SecurityTokenNoExpirationException => "The token has no expiry.",
        _ => "The token is invalid.",
    };
}
