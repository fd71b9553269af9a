using System.Collections.Concurrent;
using System.Text;
using Azure.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// Bearer tokens for the data-plane REST API: with an access key, an HS256 JWT whose <c>aud</c> is
/// the request URL (without port, query or trailing slash), cached per audience until shortly before
/// it expires; with a managed identity, a Microsoft Entra token for <see cref="EntraScope"/>.
/// </summary>
public sealed class SignalRTokens
{
    public const string EntraScope = "https://signalr.azure.com/.default";

    /// <summary>The user id claim the service reads (ClaimTypes.NameIdentifier as a JWT claim).</summary>
    public const string NameIdClaim = "nameid";
    public static readonly TimeSpan ServerTokenLifetime = TimeSpan.FromMinutes(5);

    // A token is reused while it has at least this long left.
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(1);
    private const int MaxCachedAudiences = 10_000;

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly TokenCredential? _credential;
    private readonly TimeProvider _time;
    private readonly SigningCredentials? _signing;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> _byAudience = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _entraLock = new(1, 1);
    private volatile EntraToken? _entraToken;

    public SignalRTokens(SignalRConnectionString connection, TokenCredential? credential, TimeProvider time)
    {
        _credential = credential;
        _time = time;
        if (connection.AuthType == SignalRAuthType.AccessKey)
        {
            _signing = SigningCredentialsFor(connection.AccessKey!);
        }
        else
        {
            ArgumentNullException.ThrowIfNull(credential);
        }
    }

    public bool UsesAccessKey => _signing is not null;

    /// <summary>The access key's HS256 signing credentials: the key's UTF-8 bytes, as the service signs.</summary>
    public static SigningCredentials SigningCredentialsFor(string accessKey) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(accessKey)), SecurityAlgorithms.HmacSha256);

    /// <summary>A token for a REST call to <paramref name="audience"/>.</summary>
    public async ValueTask<string> ForRequestAsync(string audience, CancellationToken cancellationToken)
    {
        if (_signing is null)
        {
            return await EntraTokenAsync(cancellationToken);
        }

        var now = _time.GetUtcNow();
        if (_byAudience.TryGetValue(audience, out var cached) && cached.ExpiresAt - now > RenewBefore)
        {
            return cached.Token;
        }

        if (_byAudience.Count >= MaxCachedAudiences)
        {
            _byAudience.Clear();
        }

        var expiresAt = now + ServerTokenLifetime;
        var token = Mint(_signing, audience, null, now, expiresAt);
        _byAudience[audience] = (token, expiresAt);
        return token;
    }

    /// <summary>A client access token (key mode only): <c>aud</c> = the client URL, <c>nameid</c> = the user.</summary>
    public string ForClient(string audience, string userId, TimeSpan lifetime)
    {
        if (_signing is null)
        {
            throw new InvalidOperationException("Client tokens are minted by the service when no access key is configured.");
        }

        var now = _time.GetUtcNow();
        return Mint(_signing, audience, new Dictionary<string, object> { [NameIdClaim] = userId }, now, now + lifetime);
    }

    private static string Mint(SigningCredentials signing, string audience, Dictionary<string, object>? claims, DateTimeOffset now, DateTimeOffset expiresAt) =>
        Handler.CreateToken(new SecurityTokenDescriptor
        {
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            Claims = claims,
            SigningCredentials = signing,
        });

    private async ValueTask<string> EntraTokenAsync(CancellationToken cancellationToken)
    {
        if (_entraToken is { } current && current.ExpiresOn - _time.GetUtcNow() > TimeSpan.FromMinutes(5))
        {
            return current.Token;
        }

        await _entraLock.WaitAsync(cancellationToken);
        try
        {
            var fresh = _entraToken;
            if (fresh is null || fresh.ExpiresOn - _time.GetUtcNow() <= TimeSpan.FromMinutes(5))
            {
                var token = await _credential!.GetTokenAsync(new TokenRequestContext([EntraScope]), cancellationToken);
                fresh = new EntraToken(token.Token, token.ExpiresOn);
                _entraToken = fresh;
            }

            return fresh.Token;
        }
        finally
        {
            _entraLock.Release();
        }
    }

    private sealed record EntraToken(string Token, DateTimeOffset ExpiresOn);
}
