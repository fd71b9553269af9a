using Azure.Core;
using Messaging.Domain.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.SignalRService;

/// <summary>The pieces on their own: connection strings, retries, managed-identity mode.</summary>
public sealed class SignalRServiceUnitTests : IAsyncLifetime
{
    private FakeSignalRService _service = null!;

    public async Task InitializeAsync() => _service = await FakeSignalRService.StartAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private sealed class Clients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = TimeSpan.FromSeconds(5) };
    }

    private sealed class StaticCredential(string token) : TokenCredential
    {
        public int Calls { get; private set; }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Assert.Equal([SignalRTokens.EntraScope], requestContext.Scopes);
            Calls++;
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private static MembershipReconciler Reconciler(SignalRRestClient rest) =>
        new(new NoConversations(), rest, TimeProvider.System, NullLogger<MembershipReconciler>.Instance);

    private static SignalRRestClient Rest(SignalRConnectionString connection, SignalRTokens tokens) =>
        new(connection, tokens, new Clients(), NullLogger<SignalRRestClient>.Instance);

    [Fact]
    public void Connection_strings_parse_keys_ports_and_managed_identities()
    {
        var key = SignalRConnectionString.Parse("Endpoint=https://x.service.signalr.net;AccessKey=abc/def+gh==;Version=1.0;");
        Assert.Equal("https://x.service.signalr.net", key.BaseUrl);
        Assert.Equal("https://x.service.signalr.net", key.AudienceBaseUrl);
        Assert.Equal("abc/def+gh==", key.AccessKey);
        Assert.Equal(SignalRAuthType.AccessKey, key.AuthType);
        Assert.DoesNotContain("abc", key.ToString(), StringComparison.Ordinal);

        var port = SignalRConnectionString.Parse("endpoint=http://localhost;accesskey=k;port=8080;version=1.0");
        Assert.Equal("http://localhost:8080", port.BaseUrl);
        Assert.Equal("http://localhost", port.AudienceBaseUrl);

        var msi = SignalRConnectionString.Parse("Endpoint=https://x.service.signalr.net;AuthType=azure.msi;ClientId=1234;Version=1.0;");
        Assert.Equal(SignalRAuthType.ManagedIdentity, msi.AuthType);
        Assert.Equal("1234", msi.ClientId);
        Assert.Null(msi.AccessKey);

        Assert.Throws<FormatException>(() => SignalRConnectionString.Parse("Endpoint=https://x.service.signalr.net;Version=1.0;"));
        Assert.Throws<FormatException>(() => SignalRConnectionString.Parse("AccessKey=k;Version=1.0;"));
        Assert.Throws<FormatException>(() => SignalRConnectionString.Parse("Endpoint=https://x;AccessKey=k;Version=2.0;"));
        Assert.Throws<FormatException>(() => SignalRConnectionString.Parse("Endpoint=https://x;AuthType=azure.app;Version=1.0;"));
        var error = Assert.Throws<FormatException>(() => SignalRConnectionString.Parse("Endpoint=https://x;secretwithoutequals;Version=1.0;"));
        Assert.DoesNotContain("secretwithoutequals", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_audience_equals_the_client_url_on_an_endpoint_without_port()
    {
        var connection = SignalRConnectionString.Parse("Endpoint=https://x.service.signalr.net;AccessKey=0123456789012345678901234567890123456789abc=;Version=1.0;");
        var tokens = new SignalRTokens(connection, null, TimeProvider.System);
        var negotiator = new AzureSignalRNegotiator(Rest(connection, tokens), tokens);
        Assert.Equal("https://x.service.signalr.net/client/?hub=messaging", negotiator.ClientUrl);
        Assert.Equal(negotiator.ClientUrl, negotiator.ClientAudience);
        var answer = await negotiator.NegotiateAsync(new DefaultHttpContext().Request, "alice", CancellationToken.None);
        Assert.Equal(negotiator.ClientUrl, answer!.Url);
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_server_tokens_are_reused_per_audience()
    {
        var connection = SignalRConnectionString.Parse(_service.ConnectionString);
        var tokens = new SignalRTokens(connection, null, TimeProvider.System);
        var rest = Rest(connection, tokens);
        var publisher = new AzureSignalRPublisher(new SignalRGroups(rest), Reconciler(rest));
        var audience = _service.AudienceFor("/api/v1/hubs/messaging/users/u1");
        Assert.Same(await tokens.ForRequestAsync(audience, CancellationToken.None), await tokens.ForRequestAsync(audience, CancellationToken.None));
        Assert.NotEqual(await tokens.ForRequestAsync(audience, CancellationToken.None), await tokens.ForRequestAsync(audience + "x", CancellationToken.None));

        _service.FailNext(1, 503);
        await publisher.SendToUsersAsync(["u1", "u2", "u3"], "message.created", new { id = "m1" }, CancellationToken.None);
        foreach (var user in new[] { "u1", "u2", "u3" })
        {
            await _service.WaitForAsync(r => r.Path == $"/api/v1/hubs/messaging/users/{user}" && r.Target == "message.created");
        }

        Assert.Equal(4, _service.Requests.Count);
        Assert.Single(_service.Requests, r => r.Refusal == "injected 503");

        // A permanent failure is not retried and surfaces.
        _service.FailNext(1, 400);
        await Assert.ThrowsAsync<SignalRServiceException>(() => publisher.SendToConversationAsync(new ConversationAudience("c1", 0, []), "message.created", new { id = "m2" }, CancellationToken.None));
        Assert.Equal(5, _service.Requests.Count);
        Assert.DoesNotContain(_service.Refused, r => !r.Refusal!.StartsWith("injected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Managed_identity_uses_entra_tokens_and_the_generate_token_api()
    {
        _service.ExpectedEntraToken = "entra-token-for-signalr";
        var connection = SignalRConnectionString.Parse($"Endpoint={_service.Endpoint.GetLeftPart(UriPartial.Authority)};AuthType=azure.msi;ClientId=cid;Version=1.0;");
        var credential = new StaticCredential(_service.ExpectedEntraToken);
        var tokens = new SignalRTokens(connection, credential, TimeProvider.System);
        var rest = Rest(connection, tokens);

        var answer = await new AzureSignalRNegotiator(rest, tokens).NegotiateAsync(new DefaultHttpContext().Request, "alice", CancellationToken.None);
        Assert.Equal($"{_service.Endpoint.GetLeftPart(UriPartial.Authority)}/client/?hub=messaging", answer!.Url);
        Assert.Equal(_service.GeneratedClientToken, answer.AccessToken);
        var generate = await _service.WaitForAsync(r => r.Path == "/api/hubs/messaging/:generateToken");
        Assert.Equal("api-version=2022-11-01&userId=alice&minutesToExpire=60", generate.Query);

        await new AzureSignalRPublisher(new SignalRGroups(rest), Reconciler(rest)).JoinConversationAsync(new ConversationAudience("c1", 0, ["alice"]), ["alice"], CancellationToken.None);
        await _service.WaitForAsync(r => r.Path == "/api/v1/hubs/messaging/groups/conversation_c1_0/users/alice" && r.Method == "PUT");
        Assert.Equal(1, credential.Calls);
        Assert.Empty(_service.Refused);
    }

    private static HttpRequest Upstream(string? token)
    {
        var request = new DefaultHttpContext().Request;
        request.Headers["X-ASRS-Connection-Id"] = "conn";
        if (token is not null)
        {
            request.Headers.Authorization = $"Bearer {token}";
        }

        return request;
    }

    // The app runs as "app-client-id"; SignalR Service has its own identity, "signalr-client-id".
    private static readonly SignalRConnectionString AppIdentity =
        SignalRConnectionString.Parse("Endpoint=https://x.service.signalr.net;AuthType=azure.msi;ClientId=app-client-id;Version=1.0;");

    [Fact]
    public async Task Managed_identity_upstream_requires_an_entra_token_of_the_signalr_identity()
    {
        const string resource = "api://messaging-upstream";
        var authenticator = new UpstreamAuthenticator(AppIdentity, new UpstreamAuthOptions(resource, null, _service.EntraAuthority, "signalr-client-id"));
        Assert.True(authenticator.CanAuthenticate);

        Assert.Null(await authenticator.ValidateAsync(Upstream(_service.IssueEntraToken(resource, "signalr-client-id"))));
        Assert.NotNull(await authenticator.ValidateAsync(Upstream(_service.IssueEntraToken(resource, "another-app"))));
        Assert.NotNull(await authenticator.ValidateAsync(Upstream(_service.IssueEntraToken("api://someone-else", "signalr-client-id"))));
        Assert.NotNull(await authenticator.ValidateAsync(Upstream(_service.IssueEntraToken(resource, "signalr-client-id", TimeSpan.FromMinutes(-5)))));
        Assert.NotNull(await authenticator.ValidateAsync(Upstream(null)));

        // No key and no upstream auth settings: nothing is accepted.
        var unconfigured = new UpstreamAuthenticator(AppIdentity, new UpstreamAuthOptions(null, null, null, null));
        Assert.False(unconfigured.CanAuthenticate);
        Assert.NotNull(await unconfigured.ValidateAsync(Upstream(_service.IssueEntraToken(resource, "signalr-client-id"))));
    }

    [Fact]
    public async Task Upstream_token_of_the_apps_own_identity_is_refused()
    {
        const string resource = "api://messaging-upstream";
        var authenticator = new UpstreamAuthenticator(AppIdentity, new UpstreamAuthOptions(resource, null, _service.EntraAuthority, "signalr-client-id"));

        Assert.Equal(
            "The upstream bearer token was not issued to Azure SignalR Service's identity.",
            await authenticator.ValidateAsync(Upstream(_service.IssueEntraToken(resource, "app-client-id"))));
    }

    [Fact]
    public async Task Upstream_without_a_pinned_signalr_identity_accepts_nothing_not_even_the_apps_own()
    {
        const string resource = "api://messaging-upstream";
        var unpinned = new UpstreamAuthenticator(AppIdentity, new UpstreamAuthOptions(resource, null, _service.EntraAuthority, null));

        Assert.False(unpinned.CanAuthenticate);
        Assert.NotNull(await unpinned.ValidateAsync(Upstream(_service.IssueEntraToken(resource, "app-client-id"))));
    }

    [Fact]
    public void Upstream_pinned_to_the_apps_own_identity_is_refused_as_a_configuration()
    {
        var sameIdentity = new UpstreamAuthenticator(AppIdentity, new UpstreamAuthOptions("api://messaging-upstream", null, _service.EntraAuthority, "APP-CLIENT-ID"));

        Assert.False(sameIdentity.CanAuthenticate);
    }

    [Fact]
    public async Task Upstream_accepts_the_client_id_audience_of_a_v2_api_when_configured()
    {
        // An API with requestedAccessTokenVersion 2 gets tokens whose aud is its client id, whatever the resource asked for.
        const string identifierUri = "api://messaging";
        const string apiClientId = "6f1e2a3b-0000-4000-8000-000000000001";
        var onlyUri = new UpstreamAuthenticator(AppIdentity, new UpstreamAuthOptions(identifierUri, null, _service.EntraAuthority, "signalr-client-id"));
        var both = new UpstreamAuthenticator(AppIdentity, new UpstreamAuthOptions(identifierUri, null, _service.EntraAuthority, "signalr-client-id", apiClientId));

        Assert.NotNull(await onlyUri.ValidateAsync(Upstream(_service.IssueEntraToken(apiClientId, "signalr-client-id"))));
        Assert.Null(await both.ValidateAsync(Upstream(_service.IssueEntraToken(apiClientId, "signalr-client-id"))));
    }

    [Fact]
    public void Upstream_options_read_the_pinned_identity_and_extra_audiences_from_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureSignalR:UpstreamAuthResource"] = "api-client-id",
            ["AzureSignalR:UpstreamTenantId"] = "tenant",
            ["AzureSignalR:UpstreamClientId"] = "signalr-client-id",
            ["AzureSignalR:UpstreamAudiences"] = " api://messaging , api-client-id ",
        }).Build();

        var options = UpstreamAuthOptions.From(configuration);

        Assert.Equal("signalr-client-id", options.CallerClientId);
        Assert.Equal(["api-client-id", "api://messaging"], options.Audiences());
    }
}
