using System.Globalization;
using System.Net;
using System.Text.Json;
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
    /// so the sender's next list read sees it. Small or large is decided by the header the patch answers,
    /// not the one read before the message: a group may have shrunk to 20 meanwhile.
    /// </summary>
    /// <remarks>The message is committed already: a failure here is logged, never reported as a failed send.</remarks>
    private async Task MarkActiveAsync(string conversationId, Message message, CancellationToken cancellationToken)
    {
        var at = CosmosJson.Ms(message.CreatedAt);
        try
        {
            var header = await AdvanceHeaderAsync(conversationId, at, cancellationToken);
            if (header is { Deleted: false, IsLarge: false })
            {
                var members = await store.Conversations.UserIdsAsync(conversationId, cancellationToken);
                await Task.WhenAll(members.Select(userId => store.Memberships.AdvanceTimestampAsync(conversationId, userId, "updatedAt", at, cancellationToken)));
            }
        }
        catch (Exception exception) when (exception is CosmosException or OperationCanceledException or HttpRequestException)
        {
            Log.CosmosActivityNotMoved(_logger, exception, message.Id, conversationId);
        }
    }

    /// <summary>The header after moving its <c>updatedAt</c> forward; read again when a later activity was there first; null when gone.</summary>
    private async Task<ConversationDocument?> AdvanceHeaderAsync(string conversationId, long at, CancellationToken cancellationToken)
    {
        using var response = await store.Conversations.PatchItemStreamAsync(
            conversationId,
            new PartitionKey(conversationId),
            [PatchOperation.Set("/updatedAt", at)],
            new PatchItemRequestOptions
            {
                FilterPredicate = $"FROM c WHERE c.updatedAt < {at.ToString(CultureInfo.InvariantCulture)}",
                EnableContentResponseOnWrite = true,
            },
            cancellationToken);
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => await JsonSerializer.DeserializeAsync<ConversationDocument>(response.Content, CosmosJson.Options, cancellationToken),
            HttpStatusCode.PreconditionFailed => (await store.Conversations.TryReadAsync<ConversationDocument>(conversationId, conversationId, cancellationToken)).Document,
            HttpStatusCode.NotFound => null,
            _ => throw new CosmosException(response.ErrorMessage ?? "Patch failed.", response.StatusCode, 0, response.Headers.ActivityId, response.Headers.RequestCharge),
        };
    }
}
