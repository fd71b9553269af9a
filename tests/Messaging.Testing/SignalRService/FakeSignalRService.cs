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

namespace Messaging.Testing.SignalRService;

/// <summary>
/// A stand-in for Azure SignalR Service's data plane on a loopback port that checks what the real
/// service checks: the route shape and hub name, the bearer token (HS256 with the access key,
/// <c>aud</c> = the request URL without port, query or trailing slash, unexpired) — or, in
/// managed-identity mode, the Entra token it was told to expect — and the send body
/// <c>{ target, arguments }</c>. It records every request (unless told not to) and counts the
/// accepted calls by kind; it can add latency to every data-plane call, and fail the next calls on demand.
/// It also serves an OpenID discovery document and keys, as a Microsoft Entra tenant would, for
/// the upstream's managed-identity tokens.
/// <para>
/// It keeps the service's state as the REST API v1 describes it
/// (https://learn.microsoft.com/azure/azure-signalr/swagger/signalr-data-plane-rest-v1): user-to-group
/// mappings (<c>PUT/DELETE …/groups/{group}/users/{user}</c>, which hold for every connection of the
/// user, present and future), and client connections that receive what is sent to their user or to a
/// group their user is in. <see cref="ConnectAsync"/> opens a client connection and, as the serverless
/// upstream does on each handshake (https://learn.microsoft.com/azure/azure-signalr/concept-upstream),
/// posts the <c>connected</c> event, signed with the access key, to the app; <see cref="DisconnectAsync"/>
/// closes it and posts <c>disconnected</c> the same way, while <see cref="Disconnect"/> closes it and
/// tells the app nothing (a lost upstream delivery: the service does not retry it). <c>GET
/// /api/v1/hubs/{hub}/connections/{connectionId}</c> answers 200 while the connection is open and 404
/// once it is not ("Check if the connection with the given connectionId exists", REST API v1).
/// <see cref="ForgetMappings"/> drops every mapping, as the service may; <see cref="FailWhen"/> refuses chosen calls.
/// </para>
/// </summary>
public sealed partial class FakeSignalRService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _faults = new();
    private readonly JsonWebTokenHandler _handler = new();
    private readonly Lock _state = new();
    private readonly Dictionary<string, HashSet<string>> _groupUsers = new(StringComparer.Ordinal);
    private readonly List<FakeClientConnection> _connections = [];
    private readonly List<(Func<string, string, bool> Match, int Status, int Remaining)> _rules = [];
    private readonly HttpClient _upstreamClient = new();

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

    /// <summary>False to keep no <see cref="Requests"/>, for long runs that only need <see cref="Calls"/>.</summary>
    public bool RecordsRequests { get; set; } = true;

    /// <summary>Waited before answering each data-plane call, as the network and a remote service would take.</summary>
    public TimeSpan AddedLatency { get; set; }

    /// <summary>The data-plane calls accepted so far, by kind.</summary>
    public ServiceCallCounts Calls { get; } = new();

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

    /// <summary>The app's base address; <see cref="ConnectAsync"/> posts the upstream <c>connected</c> event there.</summary>
    public Uri? Upstream { get; set; }

    /// <summary>Called instead of posting to <see cref="Upstream"/>, for tests that run the app's pieces in process.</summary>
    public Func<string, Task>? OnConnected { get; set; }

    /// <summary>Called instead of posting <c>disconnected</c> to <see cref="Upstream"/>, for tests that run the app's pieces in process.</summary>
    public Func<FakeClientConnection, Task>? OnDisconnected { get; set; }

    /// <summary>Opens a client connection of the user, then tells the app through the upstream, as the service does on each handshake.</summary>
    public async Task<FakeClientConnection> ConnectAsync(string userId)
    {
        var connection = new FakeClientConnection(Guid.NewGuid().ToString("N"), userId);
        lock (_state)
        {
            _connections.Add(connection);
        }

        if (OnConnected is not null)
        {
            await OnConnected(userId);
        }
        else if (Upstream is not null)
        {
            connection.ConnectedStatus = await PostConnectionEventAsync(connection, "connected");
        }

        return connection;
    }

    /// <summary>
    /// A connection that opens and closes at once, its upstream <c>disconnected</c> handled before its <c>connected</c>:
    /// the service posts each event as its own request (https://learn.microsoft.com/azure/azure-signalr/concept-upstream),
    /// so with several app instances the second can finish first.
    /// </summary>
    public async Task<FakeClientConnection> ConnectAndCloseWithEventsReversedAsync(string userId)
    {
        var connection = new FakeClientConnection(Guid.NewGuid().ToString("N"), userId);
        connection.DisconnectedStatus = await PostConnectionEventAsync(connection, "disconnected");
        connection.ConnectedStatus = await PostConnectionEventAsync(connection, "connected");
        return connection;
    }

    /// <summary>Closes the connection without telling the app: a <c>disconnected</c> upstream event that was lost.</summary>
    public void Disconnect(FakeClientConnection connection)
    {
        lock (_state)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>Closes the connection, then tells the app through the upstream <c>disconnected</c> event, as the service does when a client goes.</summary>
    public async Task DisconnectAsync(FakeClientConnection connection)
    {
        Disconnect(connection);
        if (OnDisconnected is not null)
        {
            await OnDisconnected(connection);
        }
        else if (Upstream is not null)
        {
            connection.DisconnectedStatus = await PostConnectionEventAsync(connection, "disconnected");
        }
    }

    /// <summary>
    /// A system event of the connection as the serverless upstream posts it
    /// (https://learn.microsoft.com/azure/azure-signalr/concept-upstream): the <c>X-ASRS-*</c> headers and
    /// the signature of the connection id with the access key.
    /// </summary>
    private async Task<int> PostConnectionEventAsync(FakeClientConnection connection, string @event)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Upstream!, $"/api/messaging/upstream/messaging/connections/{@event}"));
        request.Headers.Add("X-ASRS-Connection-Id", connection.ConnectionId);
        request.Headers.Add("X-ASRS-Hub", "messaging");
        request.Headers.Add("X-ASRS-Category", "connections");
        request.Headers.Add("X-ASRS-Event", @event);
        request.Headers.Add("X-ASRS-User-Id", connection.UserId);
        request.Headers.TryAddWithoutValidation("X-ASRS-Signature", Messaging.Functions.Realtime.SignalRService.UpstreamAuthenticator.Sign(connection.ConnectionId, AccessKey));
        using var response = await _upstreamClient.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>Whether the client connection is open now.</summary>
    public bool IsOpen(string connectionId)
    {
        lock (_state)
        {
            return _connections.Any(c => c.ConnectionId == connectionId);
        }
    }

    /// <summary>Back to a new service: no connections, mappings, failures or recorded requests.</summary>
    public void Reset()
    {
        lock (_state)
        {
            _groupUsers.Clear();
            _connections.Clear();
            _rules.Clear();
        }

        _faults.Clear();
        Requests.Clear();
        Calls.Clear();
    }

    /// <summary>Drops every user-to-group mapping, as the service may (a restart, an eviction).</summary>
    public void ForgetMappings()
    {
        lock (_state)
        {
            _groupUsers.Clear();
        }
    }

    /// <summary>The next <paramref name="count"/> calls whose method and path match answer <paramref name="status"/>.</summary>
    public void FailWhen(Func<string, string, bool> match, int status, int count = int.MaxValue)
    {
        lock (_state)
        {
            _rules.Add((match, status, count));
        }
    }

    public void StopFailing()
    {
        lock (_state)
        {
            _rules.Clear();
        }
    }

    /// <summary>The users mapped to a group now.</summary>
    public IReadOnlySet<string> UsersOf(string group)
    {
        lock (_state)
        {
            return _groupUsers.TryGetValue(group, out var users) ? new HashSet<string>(users, StringComparer.Ordinal) : new HashSet<string>();
        }
    }

    /// <summary>The groups whose name starts with the prefix, with their users.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> GroupsStartingWith(string prefix)
    {
        lock (_state)
        {
            return _groupUsers.Where(g => g.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(g => g.Key, g => new HashSet<string>(g.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _upstreamClient.Dispose();
        await _app.DisposeAsync();
    }

    private int? InjectedFailure(string method, string path)
    {
        lock (_state)
        {
            for (var i = 0; i < _rules.Count; i++)
            {
                var (match, status, remaining) = _rules[i];
                if (match(method, path))
                {
                    if (remaining <= 1)
                    {
                        _rules.RemoveAt(i);
                    }
                    else
                    {
                        _rules[i] = (match, status, remaining - 1);
                    }

                    return status;
                }
            }
        }

        return _faults.TryDequeue(out var fault) ? fault : null;
    }

    /// <summary>Applies an accepted data-plane call to the state: mappings change, sends reach connections.</summary>
    private void Apply(string method, string path, string? target, JsonElement[]? arguments)
    {
        var segments = path.Split('/').Select(Uri.UnescapeDataString).ToArray();

        // /api/v1/hubs/{hub}/groups/{group}/users/{user}  or  /api/v1/hubs/{hub}/{users|groups}/{id}
        lock (_state)
        {
            if (segments.Length == 9 && segments[5] == "groups" && segments[7] == "users")
            {
                var (group, user) = (segments[6], segments[8]);
                if (method == "PUT")
                {
                    if (!_groupUsers.TryGetValue(group, out var users))
                    {
                        _groupUsers[group] = users = new HashSet<string>(StringComparer.Ordinal);
                    }

                    users.Add(user);
                }
                else if (_groupUsers.TryGetValue(group, out var users))
                {
                    users.Remove(user);
                }

                return;
            }

            if (method != "POST" || segments.Length != 7 || target is null || arguments is not { Length: 1 })
            {
                return;
            }

            var recipients = segments[5] == "users"
                ? _connections.Where(c => c.UserId == segments[6])
                : _groupUsers.TryGetValue(segments[6], out var members) ? _connections.Where(c => members.Contains(c.UserId)) : [];
            foreach (var connection in recipients)
            {
                connection.Deliver(target, arguments[0]);
            }
        }
    }

    [GeneratedRegex(@"^/api/v1/hubs/(?<hub>[^/]+)/(users/[^/]+|groups/[^/]+|groups/[^/]+/users/[^/]+|connections/[^/]+)$")]
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
        var connectionCheck = v1.Success && path.Contains("/connections/", StringComparison.Ordinal);
        var expectedMethod = !v1.Success ? ["POST"]
            : connectionCheck ? ["GET"]
            : path.Contains("/users/", StringComparison.Ordinal) && path.Contains("/groups/", StringComparison.Ordinal) ? new[] { "PUT", "DELETE" } : ["POST"];
        var hub = v1.Success ? v1.Groups["hub"].Value : generate.Success ? generate.Groups["hub"].Value : null;
        if (hub is null || !HubName().IsMatch(hub) || !expectedMethod.Contains(method))
        {
            await RefuseAsync(context, 404, new ServiceRequest(method, path, query, null, null, null, "unknown route"));
            return;
        }

        if (AddedLatency > TimeSpan.Zero)
        {
            await Task.Delay(AddedLatency, context.RequestAborted);
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

        if (InjectedFailure(method, path) is { } fault)
        {
            Record(new ServiceRequest(method, path, query, target, arguments, tokenExpires, $"injected {fault}"));
            context.Response.StatusCode = fault;
            return;
        }

        if (v1.Success)
        {
            Apply(method, path, target, arguments);
        }

        Calls.Increment(ServiceCallCounts.KindOf(method, path, generate.Success));
        Record(new ServiceRequest(method, path, query, target, arguments, tokenExpires, null));
        if (generate.Success)
        {
            await context.Response.WriteAsJsonAsync(new { token = GeneratedClientToken });
            return;
        }

        if (connectionCheck)
        {
            context.Response.StatusCode = IsOpen(Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..])) ? 200 : 404;
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
        Record(request);
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(request.Refusal ?? "");
    }

    private void Record(ServiceRequest request)
    {
        if (RecordsRequests)
        {
            Requests.Enqueue(request);
        }
    }
}
