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

    [Fact]
    public async Task A_problem_has_exactly_the_documented_members_in_order_with_retry_headers_apart()
    {
        using var invalid = await server.ClientFor(TestApi.NewUser("alice")).PostAsync(
            new Uri("/api/messaging/conversations/", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var unauthorized = await server.ClientFor(null).GetAsync(new Uri("/api/messaging/conversations/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"type":"https://httpstatuses.io/400","title":"Invalid request","status":400,"detail":"The request body is not valid JSON for this operation.","errors":{"participantIds":["participantIds is required."]}}""",
            await invalid.Content.ReadAsStringAsync());
        Assert.Equal(
            """{"type":"https://httpstatuses.io/401","title":"Unauthorized","status":401,"detail":"A bearer token is required."}""",
            await unauthorized.Content.ReadAsStringAsync());
    }
}
