using Messaging.Domain.Attachments;
using Messaging.Domain.Common;

namespace Messaging.Domain.Application;

/// <summary>The attachments a message being sent refers to: the sender's own, not used by another message.</summary>
public sealed partial class MessageService
{
    private async Task<Result<IReadOnlyList<AttachmentInfo>>> ResolveAttachmentsAsync(
        string userId, string conversationId, IReadOnlyList<string>? attachmentIds, CancellationToken cancellationToken)
    {
        if (attachmentIds is null || attachmentIds.Count == 0)
        {
            return Result<IReadOnlyList<AttachmentInfo>>.Success([]);
        }

        if (attachmentIds.Count > limits.MaxAttachmentsPerMessage)
        {
            return Error.Invalid("attachmentIds", $"A message carries at most {limits.MaxAttachmentsPerMessage} attachments.");
        }

        var distinct = attachmentIds.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Any(id => !Ids.IsWellFormed(id)))
        {
            return Error.Invalid("attachmentIds", "Every attachment id must be a non-empty string.");
        }

        var found = await attachments.GetManyAsync(distinct, cancellationToken);
        var infos = new List<AttachmentInfo>(distinct.Count);
        foreach (var id in distinct)
        {
            var attachment = found.FirstOrDefault(a => a.Id == id);
            if (attachment is null)
            {
                return Error.Invalid("attachmentIds", $"Attachment {id} does not exist.");
            }

            var allowed = attachment.CanBeAttachedBy(userId, conversationId);
            if (!allowed.IsSuccess)
            {
                return allowed.Error;
            }

            infos.Add(attachment.Info);
        }

        return infos;
    }
}
