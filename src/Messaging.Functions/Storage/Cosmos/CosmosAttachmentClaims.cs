using System.Net;
using Messaging.Domain.Messages;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>Claims a message's attachments one by one with ETag conditions, and undoes the claims when asked.</summary>
internal sealed class CosmosAttachmentClaims(Container attachments)
{
    private readonly List<AttachmentDocument> _claimed = [];

    public async Task<bool> ClaimAsync(Message message, CancellationToken cancellationToken)
    {
        foreach (var info in message.Attachments)
        {
            if (!await ClaimOneAsync(info.Id, message, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Releases while another failure is being reported: a release that fails too leaves the claim (as a crash would).</summary>
    public async Task ReleaseQuietlyAsync()
    {
        try
        {
            await ReleaseAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is CosmosException or HttpRequestException or OperationCanceledException)
        {
            _claimed.Clear();
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        foreach (var claimed in _claimed)
        {
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var (current, etag) = await attachments.TryReadAsync<AttachmentDocument>(claimed.Id, claimed.Id, cancellationToken);
                if (current is null || current.MessageId != claimed.MessageId)
                {
                    break;
                }

                current.MessageId = null;
                current.ConversationId = claimed.ConversationId;
                using var response = await attachments.ReplaceItemStreamAsync(
                    new MemoryStream(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(current, CosmosJson.Options)),
                    current.Id, new PartitionKey(current.Id), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
                if (response.StatusCode != HttpStatusCode.PreconditionFailed)
                {
                    break;
                }
            }
        }

        _claimed.Clear();
    }

    private async Task<bool> ClaimOneAsync(string attachmentId, Message message, CancellationToken cancellationToken)
    {
        if (!CosmosIds.CanBeDocumentId(attachmentId))
        {
            return false;
        }

        for (var attempt = 0; attempt < 10; attempt++)
        {
            var (current, etag) = await attachments.TryReadAsync<AttachmentDocument>(attachmentId, attachmentId, cancellationToken);
            if (current is null || !current.ToAttachment().CanBeAttachedBy(message.SenderId, message.ConversationId).IsSuccess)
            {
                return false;
            }

            var previousConversation = current.ConversationId;
            current.MessageId = message.Id;
            current.ConversationId = message.ConversationId;
            using var response = await attachments.ReplaceItemStreamAsync(
                new MemoryStream(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(current, CosmosJson.Options)),
                current.Id, new PartitionKey(current.Id), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                _claimed.Add(new AttachmentDocument
                {
                    Id = current.Id,
                    FileName = current.FileName,
                    ContentType = current.ContentType,
                    UploadedBy = current.UploadedBy,
                    MessageId = message.Id,
                    ConversationId = previousConversation,
                });
                return true;
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            if (response.StatusCode != HttpStatusCode.PreconditionFailed)
            {
                // A 429 or 503 says nothing about the attachment: the send fails as the database did, not as "unavailable".
                response.EnsureSuccessStatusCode();
            }
        }

        return false;
    }
}
