using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Messaging.Tests.SignalRService;

/// <summary>One request the fake accepted (or refused, with the reason).</summary>
public sealed record ServiceRequest(string Method, string Path, string Query, string? Target, JsonElement[]? Arguments, DateTimeOffset? TokenExpires, string? Refusal);

/// <summary>
/// A stand-in for Azure SignalR Service's data plane on a loopback port that checks what the real
/// service checks: the route shape and hub name, the bearer token (HS256 with the access key,
/// <c>aud</c> = the request URL without port, query or trailing slash, unexpired) — or, in
/// managed-identity mode, the Entra token it was told to expect — and the send body
/// <c>{ target, arguments }</c>. It records every request; it can fail the next calls on demand.
/// It also serves an OpenID discovery document and keys, as a Microsoft Entra tenant would, for
/// the upstream's managed-identity tokens.
/// </summary>
public sealed partial class FakeSignalRService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _faults = new();
    private readonly JsonWebTokenHandler _handler = new();

    private FakeSignalRService(WebApplication app, string accessKey)
    {
        _app = app;
        AccessKey = accessKey;
    }

    public string AccessKey { get; }

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>When set, requests must carry this bearer token (managed-identity mode) instead of a key-signed JWT.</summary>
    public string? ExpectedEntraToken { get; set; }

    /// <summary>The token that <c>:generateToken</c> answers.</summary>
    public string GeneratedClientToken { get; } = "generated.client.token";

    public RsaSecurityKey EntraSigningKey { get; } = new(RSA.Create(2048)) { KeyId = "fake-entra-key" };

    public string EntraAuthority => $"{Endpoint.GetLeftPart(UriPartial.Authority)}/tenant/v2.0";

    public ConcurrentQueue<ServiceRequest> Requests { get; } = new();

    public string ConnectionString => $"Endpoint={Endpoint.GetLeftPart(UriPartial.Authority)};AccessKey={AccessKey};Version=1.0;";

    /// <summary>The audience the service expects for a path: scheme and host, no port.</summary>
    public string AudienceFor(string path) => $"{Endpoint.Scheme}://{Endpoint.Host}{path.TrimEnd('/')}";

    public static async Task<FakeSignalRService> StartAsync()
    {
        // 44 characters, like the service's keys.
        var accessKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(33));
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSignalRService(app, accessKey);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.Endpoint = new Uri(app.Urls.First());
        return fake;
    }

    /// <summary>The next <paramref name="count"/> data-plane calls answer <paramref name="status"/>.</summary>
    public void FailNext(int count, int status)
    {
        for (var i = 0; i < count; i++)
        {
            _faults.Enqueue(status);
        }
    }

    public IEnumerable<ServiceRequest> Refused => Requests.Where(r => r.Refusal is not null);

    public async Task<ServiceRequest> WaitForAsync(Func<ServiceRequest, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (Requests.FirstOrDefault(r => r.Refusal is null && match(r)) is { } found)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("No matching request reached the fake SignalR Service. Seen: "
            + string.Join("; ", Requests.Select(r => $"{r.Method} {r.Path} {r.Target} {r.Refusal}")));
    }

    /// <summary>An Entra-like token for the upstream (RS256, the tenant's key).</summary>
    public string IssueEntraToken(string audience, string appId, TimeSpan? lifetime = null) =>
        _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = EntraAuthority,
            Audience = audience,
            Expires = DateTime.UtcNow + (lifetime ?? TimeSpan.FromMinutes(10)),
            Claims = new Dictionary<string, object> { ["appid"] = appId, ["sub"] = "signalr-identity" },
            SigningCredentials = new SigningCredentials(EntraSigningKey, SecurityAlgorithms.RsaSha256),
        });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [GeneratedRegex(@"^/api/v1/hubs/(?<hub>[^/]+)/(users/[^/]+|groups/[^/]+|groups/[^/]+/users/[^/]+)$")]
    private static partial Regex V1Route();

    [GeneratedRegex(@"^/api/hubs/(?<hub>[^/]+)/:generateToken$")]
    private static partial Regex GenerateTokenRoute();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex HubName();

    private async Task HandleAsync(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rawTarget : rawTarget[..question];
        var query = question < 0 ? "" : rawTarget[(question + 1)..];
        var method = context.Request.Method;

        if (path == "/tenant/v2.0/.well-known/openid-configuration")
        {
            await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["issuer"] = EntraAuthority,
                ["jwks_uri"] = $"{EntraAuthority}/keys",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
            return;
        }

        if (path == "/tenant/v2.0/keys")
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(EntraSigningKey.Rsa.ExportParameters(false)) { KeyId = EntraSigningKey.KeyId });
            await context.Response.WriteAsJsonAsync(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", n = jwk.N, e = jwk.E } } });
            return;
        }

        var v1 = V1Route().Match(path);
        var generate = GenerateTokenRoute().Match(path);
        var expectedMethod = v1.Success
            ? (path.Contains("/users/", StringComparison.Ordinal) && path.Contains("/groups/", StringComparison.Ordinal) ? new[] { "PUT", "DELETE" } : ["POST"])
            : ["POST"];
        var hub = v1.Success ? v1.Groups["hub"].Value : generate.Success ? generate.Groups["hub"].Value : null;
        if (hub is null || !HubName().IsMatch(hub) || !expectedMethod.Contains(method))
        {
            await RefuseAsync(context, 404, new ServiceRequest(method, path, query, null, null, null, "unknown route"));
            return;
        }

        var (tokenExpires, tokenFailure) = await CheckTokenAsync(context.Request.Headers.Authorization.ToString(), AudienceFor(path));
        if (tokenFailure is not null)
        {
            await RefuseAsync(context, 401, new ServiceRequest(method, path, query, null, null, null, tokenFailure));
            return;
        }

        string? target = null;
        JsonElement[]? arguments = null;
        if (v1.Success && method == "POST")
        {
            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body);
                if (!context.Request.ContentType!.StartsWith("application/json", StringComparison.Ordinal)
                    || body.RootElement.ValueKind != JsonValueKind.Object
                    || !body.RootElement.TryGetProperty("target", out var t) || t.ValueKind != JsonValueKind.String
                    || !body.RootElement.TryGetProperty("arguments", out var a) || a.ValueKind != JsonValueKind.Array)
                {
                    await RefuseAsync(context, 400, new ServiceRequest(method, path, query, null, null, tokenExpires, "body is not { target, arguments }"));
                    return;
                }

                target = t.GetString();
                arguments = [.. a.EnumerateArray().Select(e => e.Clone())];
            }
            catch (JsonException)
            {
                await RefuseAsync(context, 400, new ServiceRequest(method, path, query, null, null, tokenExpires, "body is not JSON"));
                return;
            }
        }

        if (generate.Success && !query.Contains("api-version=", StringComparison.Ordinal))
        {
            await RefuseAsync(context, 400, new ServiceRequest(method, path, query, null, null, tokenExpires, "api-version is missing"));
            return;
        }

        if (_faults.TryDequeue(out var fault))
        {
            Requests.Enqueue(new ServiceRequest(method, path, query, target, arguments, tokenExpires, $"injected {fault}"));
            context.Response.StatusCode = fault;
            return;
        }

        Requests.Enqueue(new ServiceRequest(method, path, query, target, arguments, tokenExpires, null));
        if (generate.Success)
        {
            await context.Response.WriteAsJsonAsync(new { token = GeneratedClientToken });
            return;
        }

        context.Response.StatusCode = method == "POST" ? 202 : 200;
    }

    private async Task<(DateTimeOffset? Expires, string? Failure)> CheckTokenAsync(string authorization, string audience)
    {
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return (null, "no bearer token");
        }

        var token = authorization["Bearer ".Length..];
        if (ExpectedEntraToken is not null)
        {
            return token == ExpectedEntraToken ? (null, null) : (null, "not the expected Entra token");
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(AccessKey)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidAudience = audience,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.Zero,
        });
        return result.IsValid
            ? (((JsonWebToken)result.SecurityToken).ValidTo, null)
            : (null, $"token refused: {result.Exception?.GetType().Name}");
    }

    private async Task RefuseAsync(HttpContext context, int status, ServiceRequest request)
    {
        Requests.Enqueue(request);
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(request.Refusal ?? "");
    }
}
