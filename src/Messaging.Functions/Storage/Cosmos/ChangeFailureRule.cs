using System.Net;
using System.Net.Sockets;
using Messaging.Functions.Realtime.SignalRService;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Poison or transient: which failures of a change feed record would come back on every retry.
/// <list type="bullet">
/// <item>Anything the <b>mapper</b> throws is poison: mapping is a function of the document's bytes
/// alone (deserialization, shape), so the same document fails the same way every time.</item>
/// <item>A <b>fan-out</b> failure is transient when it says a dependency is unavailable, whatever the
/// document: Cosmos DB 408/410/429/449/5xx, or 401/403 (a credential or a role assignment still
/// propagating); an HTTP, socket, I/O or timeout error; Azure SignalR Service failing with no
/// status, 408, 429 or 5xx. Retrying such a change later can succeed.</item>
/// <item>Any other fan-out failure is poison: a bug or a document the code cannot handle
/// (argument, format, invalid operation, null reference…), or a 4xx that names the request itself.</item>
/// </list>
/// A transient failure that outlasts <see cref="CosmosOptions.FanOutRetryBudget"/> is dead-lettered
/// too, so that no rule mistake can hold a lease for ever.
/// </summary>
public static class ChangeFailureRule
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        CosmosException cosmos => IsTransientStatus(cosmos.StatusCode),
        SignalRServiceException signalR => signalR.Status is null || IsTransientStatus(signalR.Status.Value),
        HttpRequestException http => http.StatusCode is null || IsTransientStatus(http.StatusCode.Value),
        TimeoutException or IOException or SocketException => true,
        TaskCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    private static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.Gone or HttpStatusCode.TooManyRequests
            or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            or (HttpStatusCode)449 // Retry With: a concurrent update (https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb)
        || (int)status >= 500;
}
