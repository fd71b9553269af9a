using Messaging.Domain.Messages;
using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// What a send does after its batch committed: keep the message's locator and move the conversation's
/// activity. The message exists already, so a failure here is logged, never reported as a failed send.
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

    /// <summary>
    /// Moves "most recent activity" forward on the conversation and on every member's view of it
    /// (conditional patches: never backwards). In the send path, so the sender's next list read sees it.
    /// </summary>
    /// <remarks>The message is committed already: a failure here is logged, never reported as a failed send.</remarks>
    public async Task MarkActiveAsync(ConversationDocument conversation, Message message, CancellationToken cancellationToken)
    {
        var at = CosmosJson.Ms(message.CreatedAt);
        var writes = new List<Task> { store.Conversations.AdvanceTimestampAsync(conversation.Id, conversation.Id, "updatedAt", at, cancellationToken) };
        writes.AddRange(conversation.Participants.Select(p => store.Memberships.AdvanceTimestampAsync(conversation.Id, p.UserId, "updatedAt", at, cancellationToken)));
        try
        {
            await Task.WhenAll(writes);
        }
        catch (Exception exception) when (exception is CosmosException or OperationCanceledException or HttpRequestException)
        {
            Log.CosmosActivityNotMoved(logger, exception, message.Id, conversation.Id);
        }
    }
}
