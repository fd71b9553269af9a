using System.Net;
using Messaging.Functions.Auth;
using Messaging.Functions.Http;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>What a client sees when the database throttles a request whose SDK retries ran out.</summary>
public sealed class CosmosErrorMappingTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-cosmos-errors", Guid.NewGuid().ToString("N"));

    public void Dispose() => TemporaryFolder.DeleteQuietly(_dataPath);

    private sealed class Throttled(TimeSpan? retryAfter) : CosmosException("Request rate is large.", (HttpStatusCode)429, 3200, "activity", 1)
    {
        public override TimeSpan? RetryAfter => retryAfter;
    }

    private async Task<HttpResponse> InvokeAsync(Exception thrown)
    {
        Directory.CreateDirectory(_dataPath);
        var pipeline = new ApiPipeline(
            new TokenValidator(new AuthOptions { SigningKey = new string('k', 48), Issuer = "test", Audience = "test" }, _dataPath),
            new CorsPolicy([]),
            NullLogger<ApiPipeline>.Instance);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        await pipeline.InvokeAsync(context, allowsAnonymous: true, () => throw thrown);
        return context.Response;
    }

    [Fact]
    public async Task A_throttled_database_request_is_a_429_problem_with_retry_after_not_a_500()
    {
        var response = await InvokeAsync(new Throttled(TimeSpan.FromMilliseconds(1200)));

        Assert.Equal(StatusCodes.Status429TooManyRequests, response.StatusCode);
        Assert.Equal("2", response.Headers.RetryAfter.ToString());
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throttled_request_without_a_retry_interval_still_says_when_to_retry()
    {
        var response = await InvokeAsync(new Throttled(null));

        Assert.Equal(StatusCodes.Status429TooManyRequests, response.StatusCode);
        Assert.Equal("1", response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task Other_database_failures_stay_a_500_problem()
    {
        var response = await InvokeAsync(new CosmosException("Boom.", HttpStatusCode.InternalServerError, 0, "activity", 1));

        Assert.Equal(StatusCodes.Status500InternalServerError, response.StatusCode);
    }
}
