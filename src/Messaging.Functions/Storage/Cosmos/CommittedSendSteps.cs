using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// What a send does after its batch committed to keep the message's locator (its activity is
/// <see cref="CosmosMessageRepository"/>'s). The message exists already, so a failure here is logged,
/// never reported as a failed send.
/// </summary>
internal sealed class CommittedSendSteps(CosmosStore store, ILogger logger)
{
    /// <summary>Makes a committed message's locator permanent; a failure is logged (a later lookup by id on another instance retries it).</summary>
    public async Task KeepLocatorAsync(string messageId, string conversationId, CancellationToken cancellationToken)
    {
        try
        {
            await MessageLocatorDocument.MakePermanentAsync(store.Conversations, messageId, cancellationToken);
        }
        catch (Exception exception) when (exception is CosmosException or OperationCanceledException or HttpRequestException)
        {
            Log.CosmosLocatorNotKept(logger, exception, messageId, conversationId);
        }
    }
}
