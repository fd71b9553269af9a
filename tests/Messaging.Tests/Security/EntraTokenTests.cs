using Messaging.Functions.Auth;
using Messaging.Functions.Hosting;
using Messaging.Tests.Support;

namespace Messaging.Tests.Security;

/// <summary>
/// The documented Entra ID configuration (docs/decisions/0005-entra-token-version.md) against
/// real-shaped v1.0 and v2.0 access tokens, signed by a local tenant whose discovery document and
/// keys the validator fetches over HTTP as it would from login.microsoftonline.com.
/// </summary>
public sealed class EntraTokenTests : IAsyncLifetime
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-entra", Guid.NewGuid().ToString("N"));
    private LocalEntraTenant _tenant = null!;

    public async Task InitializeAsync() => _tenant = await LocalEntraTenant.StartAsync();

    public async Task DisposeAsync()
    {
        await _tenant.DisposeAsync();
        TemporaryFolder.DeleteQuietly(_dataPath);
    }

    /// <summary>What infra/main.bicep writes for an app registration with requestedAccessTokenVersion 2.</summary>
    private AuthOptions V2Configuration() => new()
    {
        Authority = _tenant.Authority,
        Issuers = LocalEntraTenant.V2Issuer(_tenant.TenantId),
        Audiences = _tenant.ApiClientId,
        RequiredScope = "chat",
        UserIdClaim = "oid",
    };

    private Task<TokenValidation> Validate(AuthOptions options, string token) => new TokenValidator(options, _dataPath).ValidateAsync(token);

    [Fact]
    public async Task V2_token_passes_the_v2_configuration_and_names_the_user_by_object_id()
    {
        var validation = await Validate(V2Configuration(), _tenant.V2Token());

        Assert.True(validation.IsValid, validation.Failure);
        Assert.Equal(_tenant.UserObjectId, validation.Principal!.FindFirst("sub")!.Value);
        Assert.Equal("Alice Example", validation.Principal.Identity!.Name);
    }

    [Fact]
    public async Task V1_token_is_refused_by_the_v2_configuration()
    {
        var validation = await Validate(V2Configuration(), _tenant.V1Token(audience: _tenant.ApiClientId));

        Assert.False(validation.IsValid);
        Assert.Equal("The token's issuer is not accepted.", validation.Failure);
    }

    [Fact]
    public async Task V1_token_passes_once_its_issuer_and_audience_are_configured()
    {
        var options = V2Configuration();
        options.Issuers += "," + LocalEntraTenant.V1Issuer(_tenant.TenantId);
        options.Audiences += "," + _tenant.ApiIdentifierUri;

        Assert.True((await Validate(options, _tenant.V1Token())).IsValid);
        Assert.True((await Validate(options, _tenant.V2Token())).IsValid);
    }

    [Fact]
    public async Task Authority_alone_accepts_the_issuer_of_its_discovery_document_only()
    {
        var options = new AuthOptions { Authority = _tenant.Authority, Audience = _tenant.ApiClientId };

        Assert.True((await Validate(options, _tenant.V2Token())).IsValid);
        Assert.False((await Validate(options, _tenant.V1Token(audience: _tenant.ApiClientId))).IsValid);
    }

    [Fact]
    public async Task Token_for_the_application_id_uri_is_refused_when_only_the_client_id_is_configured()
    {
        var validation = await Validate(V2Configuration(), _tenant.V2Token(audience: _tenant.ApiIdentifierUri));

        Assert.Equal("The token's audience is not accepted.", validation.Failure);
    }

    [Fact]
    public async Task Token_for_another_api_is_refused()
    {
        var validation = await Validate(V2Configuration(), _tenant.V2Token(audience: Guid.NewGuid().ToString()));

        Assert.Equal("The token's audience is not accepted.", validation.Failure);
    }

    [Fact]
    public async Task Token_of_another_tenant_signed_with_the_shared_keys_is_refused()
    {
        var otherTenant = Guid.NewGuid().ToString();

        Assert.Equal("The token's issuer is not accepted.", (await Validate(V2Configuration(), _tenant.V2Token(tenantId: otherTenant))).Failure);
        var withV1 = V2Configuration();
        withV1.Issuers += "," + LocalEntraTenant.V1Issuer(_tenant.TenantId);
        Assert.False((await Validate(withV1, _tenant.V1Token(tenantId: otherTenant, audience: _tenant.ApiClientId))).IsValid);
    }

    [Fact]
    public async Task Token_without_the_required_scope_is_refused()
    {
        var validation = await Validate(V2Configuration(), _tenant.V2Token(scope: "User.Read"));

        Assert.Equal("The token does not carry the scope 'chat'.", validation.Failure);
        Assert.True((await Validate(V2Configuration(), _tenant.V2Token(scope: "User.Read chat"))).IsValid);
    }

    [Fact]
    public async Task Subject_is_the_user_id_unless_configured_otherwise()
    {
        var options = V2Configuration();
        options.UserIdClaim = null;

        var validation = await Validate(options, _tenant.V2Token(subject: "pairwise-alice"));

        Assert.Equal("pairwise-alice", validation.Principal!.FindFirst("sub")!.Value);
    }

    [Theory]
    [InlineData("email")]
    [InlineData("name")]
    public void A_user_id_claim_other_than_sub_or_oid_fails_at_start(string claim)
    {
        var options = V2Configuration();
        options.UserIdClaim = claim;

        Assert.Throws<StartupException>(() => new TokenValidator(options, _dataPath));
    }
}
