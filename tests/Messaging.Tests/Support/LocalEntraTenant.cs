using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Messaging.Tests.Support;

/// <summary>
/// A Microsoft Entra ID tenant on a loopback port: the v2.0 OpenID discovery document (whose
/// <c>issuer</c> is the real <c>https://login.microsoftonline.com/&lt;tenant&gt;/v2.0</c> form) and its JWKS,
/// and access tokens shaped like the ones Entra issues to an API in the v1.0 and v2.0 formats.
/// Entra signs the tokens of every tenant with the same keys, so only the issuer tells tenants apart;
/// tokens "of another tenant" here are signed with the same key too.
/// </summary>
public sealed class LocalEntraTenant : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "entra-test-key" };
    private readonly JsonWebTokenHandler _handler = new();

    private LocalEntraTenant(WebApplication app) => _app = app;

    public string TenantId { get; } = Guid.NewGuid().ToString();

    /// <summary>The API's app registration (application) id: the <c>aud</c> of its v2.0 tokens.</summary>
    public string ApiClientId { get; } = Guid.NewGuid().ToString();

    /// <summary>The API's Application ID URI: the <c>aud</c> of v1.0 tokens requested for it.</summary>
    public string ApiIdentifierUri => $"api://{ApiClientId}";

    /// <summary>The web client that asks for tokens (<c>azp</c> in v2.0, <c>appid</c> in v1.0).</summary>
    public string ClientAppId { get; } = Guid.NewGuid().ToString();

    public string UserObjectId { get; } = Guid.NewGuid().ToString();

    public string Authority { get; private set; } = "";

    public static string V2Issuer(string tenantId) => $"https://login.microsoftonline.com/{tenantId}/v2.0";

    public static string V1Issuer(string tenantId) => $"https://sts.windows.net/{tenantId}/";

    public static async Task<LocalEntraTenant> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var tenant = new LocalEntraTenant(app);
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (string tenant) => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = V2Issuer(tenant),
            ["jwks_uri"] = $"{tenantAuthorityBase(app)}/{tenant}/discovery/v2.0/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/{tenant}/discovery/v2.0/keys", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(tenant._key.Rsa.ExportParameters(false)) { KeyId = tenant._key.KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, n = jwk.N, e = jwk.E } } });
        });
        await app.StartAsync();
        tenant.Authority = $"{tenantAuthorityBase(app)}/{tenant.TenantId}/v2.0";
        return tenant;

        static string tenantAuthorityBase(WebApplication app) => app.Urls.First().TrimEnd('/');
    }

    /// <summary>A delegated v2.0 access token: <c>aud</c> = the API's client id, <c>azp</c> = the client app.</summary>
    public string V2Token(string? tenantId = null, string? audience = null, string scope = "chat", string? subject = null) =>
        Sign(new Dictionary<string, object>
        {
            ["iss"] = V2Issuer(tenantId ?? TenantId),
            ["aud"] = audience ?? ApiClientId,
            ["tid"] = tenantId ?? TenantId,
            ["ver"] = "2.0",
            ["sub"] = subject ?? "pairwise-subject-of-this-app",
            ["oid"] = UserObjectId,
            ["azp"] = ClientAppId,
            ["azpacr"] = "0",
            ["scp"] = scope,
            ["name"] = "Alice Example",
            ["preferred_username"] = "alice@contoso.example",
        });

    /// <summary>A delegated v1.0 access token: <c>aud</c> = the Application ID URI it was requested for, <c>appid</c> = the client app.</summary>
    public string V1Token(string? tenantId = null, string? audience = null, string scope = "chat") =>
        Sign(new Dictionary<string, object>
        {
            ["iss"] = V1Issuer(tenantId ?? TenantId),
            ["aud"] = audience ?? ApiIdentifierUri,
            ["tid"] = tenantId ?? TenantId,
            ["ver"] = "1.0",
            ["sub"] = "pairwise-subject-of-this-app",
            ["oid"] = UserObjectId,
            ["appid"] = ClientAppId,
            ["appidacr"] = "0",
            ["scp"] = scope,
            ["name"] = "Alice Example",
            ["upn"] = "alice@contoso.example",
        });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private string Sign(Dictionary<string, object> claims)
    {
        var now = DateTime.UtcNow;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }
}
