using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// A batch or stream request the service refused, rethrown with the service's retry interval: the
/// SDK's public <see cref="CosmosException"/> constructor cannot carry <c>RetryAfter</c>, and without it
/// a throttled batch would reach the client as a 429 with a made-up wait.
/// </summary>
internal sealed class CosmosRequestFailedException(string message, HttpStatusCode status, TimeSpan? retryAfter, string? activityId, double requestCharge)
    : CosmosException(message, status, 0, activityId ?? string.Empty, requestCharge)
{
    public override TimeSpan? RetryAfter => retryAfter;

    public static CosmosRequestFailedException Of(TransactionalBatchResponse response, string what) =>
        new($"{what} answered {response.StatusCode}: {response.ErrorMessage}", response.StatusCode, response.RetryAfter, response.ActivityId, response.RequestCharge);

    public static CosmosRequestFailedException Of(ResponseMessage response, string what) =>
        new($"{what} answered {response.StatusCode}: {response.ErrorMessage}", response.StatusCode, RetryAfterOf(response.Headers), response.Headers.ActivityId, response.Headers.RequestCharge);

    private static TimeSpan? RetryAfterOf(Headers headers) =>
        long.TryParse(headers["x-ms-retry-after-ms"], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : null;
}
