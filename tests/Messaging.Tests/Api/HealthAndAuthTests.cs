using System.Net;
using Messaging.Tests.Support;

namespace Messaging.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class HealthAndAuthTests(TestServer server)
{
    [Fact]
    public async Task Health_answers_ok_without_a_token()
    {
        var (status, body) = await server.ClientFor(null).GetJsonAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", body.Str("status"));
    }

    [Fact]
    public async Task Protected_route_is_401_problem_with_bearer_challenge_when_no_token()
    {
        using var response = await server.ClientFor(null).GetAsync("/api/messaging/conversations/");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }
}
