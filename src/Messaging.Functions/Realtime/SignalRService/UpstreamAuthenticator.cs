using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>How upstream calls are authenticated when the app uses a managed identity (no access key).</summary>
/// <param name="Resource">The resource SignalR asks its token for; accepted as <c>aud</c>.</param>
/// <param name="TenantId">The tenant whose v1.0 and v2.0 issuers are accepted.</param>
/// <param name="Authority">The OpenID authority of the signing keys (default: the tenant's v2.0 endpoint).</param>
/// <param name="CallerClientId">Client id of SignalR Service's own identity: the only accepted <c>appid</c>/<c>azp</c>.</param>
/// <param name="ExtraAudiences">More accepted audiences, comma-separated (e.g. the client id when <paramref name="Resource"/> is an Application ID URI).</param>
public sealed record UpstreamAuthOptions(string? Resource, string? TenantId, string? Authority, string? CallerClientId, string? ExtraAudiences = null)
{
    public const string ResourceSetting = "AzureSignalR:UpstreamAuthResource";
    public const string TenantSetting = "AzureSignalR:UpstreamTenantId";
    public const string AuthoritySetting = "AzureSignalR:UpstreamAuthority";
    public const string CallerSetting = "AzureSignalR:UpstreamClientId";
    public const string AudiencesSetting = "AzureSignalR:UpstreamAudiences";

    public static UpstreamAuthOptions From(IConfiguration configuration) => new(
        NullIfEmpty(configuration[ResourceSetting]),
        NullIfEmpty(configuration[TenantSetting]) ?? NullIfEmpty(configuration["AZURE_TENANT_ID"]),
        NullIfEmpty(configuration[AuthoritySetting]),
        NullIfEmpty(configuration[CallerSetting]),
        NullIfEmpty(configuration[AudiencesSetting]));

    /// <summary>The resource and the extra audiences.</summary>
    public IReadOnlyList<string> Audiences() =>
        [.. new[] { Resource }.Concat((ExtraAudiences ?? "").Split(',')).Select(a => a?.Trim()).OfType<string>().Where(a => a.Length > 0).Distinct(StringComparer.Ordinal)];

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>
/// Authenticates Azure SignalR Service's upstream calls. With an access key: <c>X-ASRS-Signature</c>
/// holds comma-separated <c>sha256=&lt;hex HMAC-SHA256 of X-ASRS-Connection-Id keyed with an access key&gt;</c>
/// (one per key of the resource); one must match. With a managed identity there is no key: the
/// SignalR resource's upstream auth (ManagedIdentity, resource = <see cref="UpstreamAuthOptions.ResourceSetting"/>)
/// attaches a Microsoft Entra token, validated here for signature (the tenant's OpenID keys),
/// issuer, audience = that resource, lifetime, and caller = the SignalR resource's own identity
/// (<c>appid</c>/<c>azp</c> = <see cref="UpstreamAuthOptions.CallerSetting"/>). That identity must be
/// configured and must not be the app's own (the connection string's <c>ClientId</c>): a token the
/// app can get for itself would otherwise pass as SignalR's. Without that configuration every call is refused.
/// </summary>
public sealed class UpstreamAuthenticator
{
    public const string ConnectionIdHeader = "X-ASRS-Connection-Id";
    public const string SignatureHeader = "X-ASRS-Signature";

    private static readonly string[] EntraAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    private readonly byte[][] _keys;
    private readonly string? _callerClientId;
    private readonly TokenValidationParameters? _entra;
    private readonly JsonWebTokenHandler _handler = new() { MaximumTokenSizeInBytes = 16 * 1024 };

    public UpstreamAuthenticator(SignalRConnectionString? connection, UpstreamAuthOptions options)
    {
        _keys = connection?.AccessKey is { } key ? [Encoding.UTF8.GetBytes(key)] : [];
        if (connection?.AuthType != SignalRAuthType.ManagedIdentity || options.Resource is null)
        {
            return;
        }

        var authority = options.Authority?.TrimEnd('/')
            ?? (options.TenantId is { } tenant ? $"https://login.microsoftonline.com/{tenant}/v2.0" : null);
        _callerClientId = options.CallerClientId;
        if (authority is null || _callerClientId is null
            || string.Equals(_callerClientId, connection.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var retriever = new HttpDocumentRetriever { RequireHttps = authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase) };
        _entra = new TokenValidationParameters
        {
            ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                $"{authority}/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), retriever),
            ValidateIssuer = true,
            // Managed-identity tokens are v1 tokens unless the resource asks for v2; the discovery document's issuer is accepted too.
            ValidIssuers = options.TenantId is { } id ? [$"https://sts.windows.net/{id}/", $"https://login.microsoftonline.com/{id}/v2.0"] : null,
            ValidateAudience = true,
            ValidAudiences = options.Audiences(),
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = EntraAlgorithms,
            ClockSkew = TimeSpan.FromMinutes(2),
        };
    }

    /// <summary>False when no upstream call can be authenticated with this configuration (a managed identity without upstream auth settings).</summary>
    public bool CanAuthenticate => _keys.Length > 0 || _entra is not null;

    /// <summary>Null when the call is authentic; otherwise why not (for the log and the 401 detail).</summary>
    public async Task<string?> ValidateAsync(HttpRequest request)
    {
        if (_keys.Length > 0)
        {
            return ValidateSignature(request.Headers[ConnectionIdHeader].ToString(), string.Join(',', request.Headers[SignatureHeader].ToArray()));
        }

        if (_entra is null)
        {
            return "Upstream authentication is not configured on this app.";
        }

        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return "A bearer token from Azure SignalR Service's managed identity is required.";
        }

        var result = await _handler.ValidateTokenAsync(authorization["Bearer ".Length..].Trim(), _entra);
        if (!result.IsValid)
        {
            return "The upstream bearer token is not valid.";
        }

        var caller = result.Claims.TryGetValue("appid", out var appId) ? appId as string
            : result.Claims.TryGetValue("azp", out var azp) ? azp as string : null;
        return string.Equals(caller, _callerClientId, StringComparison.OrdinalIgnoreCase)
            ? null
            : "The upstream bearer token was not issued to Azure SignalR Service's identity.";
    }

    /// <summary>Null when one <c>sha256=…</c> value of the signature header matches a key.</summary>
    public string? ValidateSignature(string connectionId, string signatureHeader)
    {
        if (string.IsNullOrEmpty(connectionId))
        {
            return $"{ConnectionIdHeader} is missing.";
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return $"{SignatureHeader} is missing.";
        }

        var expected = _keys.Select(key => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(connectionId))).ToList();
        foreach (var candidate in signatureHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            const string prefix = "sha256=";
            if (!candidate.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || candidate.Length != prefix.Length + (2 * SHA256.HashSizeInBytes))
            {
                continue;
            }

            byte[] presented;
            try
            {
                presented = Convert.FromHexString(candidate.AsSpan(prefix.Length));
            }
            catch (FormatException)
            {
                continue;
            }

            if (expected.Any(hash => CryptographicOperations.FixedTimeEquals(hash, presented)))
            {
                return null;
            }
        }

        return $"{SignatureHeader} matches no access key.";
    }

    /// <summary>The header value the service sends for a connection id and key: <c>sha256=&lt;hex&gt;</c>.</summary>
    public static string Sign(string connectionId, string accessKey) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.UTF8.GetBytes(connectionId)));
}
