using System.Net;
using Messaging.Domain.Attachments;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>Attachment records in the <c>attachments</c> container (partition key /id: every access is a point operation).</summary>
public sealed class CosmosAttachmentRepository(CosmosStore store) : IAttachmentRepository
{
    public Task AddAsync(Attachment attachment, CancellationToken cancellationToken) =>
        store.Attachments.CreateItemAsync(AttachmentDocument.From(attachment), new PartitionKey(attachment.Id), cancellationToken: cancellationToken);

    public async Task<Attachment?> GetAsync(string attachmentId, CancellationToken cancellationToken)
    {
        if (!CosmosIds.CanBeDocumentId(attachmentId))
        {
            return null;
        }

        var (document, _) = await store.Attachments.TryReadAsync<AttachmentDocument>(attachmentId, attachmentId, cancellationToken);
        return document?.ToAttachment();
    }

    public async Task<IReadOnlyList<Attachment>> GetManyAsync(IReadOnlyCollection<string> attachmentIds, CancellationToken cancellationToken)
    {
        var readable = attachmentIds.Where(CosmosIds.CanBeDocumentId).Distinct(StringComparer.Ordinal).ToList();
        if (readable.Count == 0)
        {
            return [];
        }

        var response = await store.Attachments.ReadManyItemsAsync<AttachmentDocument>(
            [.. readable.Select(id => (id, new PartitionKey(id)))], cancellationToken: cancellationToken);
        var found = response.Resource.ToDictionary(d => d.Id, StringComparer.Ordinal);
        return [.. attachmentIds.Where(found.ContainsKey).Select(id => found[id].ToAttachment())];
    }

    public async Task<bool> DeleteUnusedAsync(string attachmentId, CancellationToken cancellationToken)
    {
        if (!CosmosIds.CanBeDocumentId(attachmentId))
        {
            return false;
        }

        for (var attempt = 0; attempt < 10; attempt++)
        {
            var (document, etag) = await store.Attachments.TryReadAsync<AttachmentDocument>(attachmentId, attachmentId, cancellationToken);
            if (document is null || document.MessageId is not null)
            {
                return false;
            }

            // ETag-guarded: a send that claims the attachment meanwhile wins, and the record stays.
            using var response = await store.Attachments.DeleteItemStreamAsync(
                attachmentId, new PartitionKey(attachmentId), new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            if (response.StatusCode != HttpStatusCode.PreconditionFailed)
            {
                response.EnsureSuccessStatusCode();
            }
        }

        return false;
    }
}
