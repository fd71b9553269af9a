using Messaging.Domain.Messages;
using Messaging.Functions.Diagnostics;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>"Most recent activity" of a send, for the conversation list.</summary>
public sealed partial class CosmosMessageRepository
{
    /// <summary>
    /// Moves "most recent activity" forward on the conversation's header and, for a small group only, on
    /// its members' memberships (conditional patches: never backwards; decision 0010). In the send path,
    /// so the sender's next list read sees it.
    /// </summary>
    /// <remarks>The message is committed already: a failure here is logged, never reported as a failed send.</remarks>
    private async Task MarkActiveAsync(ConversationDocument conversation, Message message, CancellationToken cancellationToken)
    {
        var at = CosmosJson.Ms(message.CreatedAt);
        try
        {
            var writes = new List<Task> { store.Conversations.AdvanceTimestampAsync(conversation.Id, conversation.Id, "updatedAt", at, cancellationToken) };
            if (!conversation.IsLarge)
            {
                var members = await store.Conversations.UserIdsAsync(conversation.Id, cancellationToken);
                writes.AddRange(members.Select(userId => store.Memberships.AdvanceTimestampAsync(conversation.Id, userId, "updatedAt", at, cancellationToken)));
            }

            await Task.WhenAll(writes);
        }
        catch (Exception exception) when (exception is CosmosException or OperationCanceledException or HttpRequestException)
        {
            Log.CosmosActivityNotMoved(_logger, exception, message.Id, conversation.Id);
        }
    }
}
