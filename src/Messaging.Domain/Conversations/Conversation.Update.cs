using Messaging.Domain.Common;

namespace Messaging.Domain.Conversations;

/// <summary>The conversation's metadata and <c>PATCH /conversations/{id}/</c> (issue 16).</summary>
public sealed partial class Conversation
{
    /// <summary>The integrating product's data on the conversation, replaced as a whole.</summary>
    public Metadata Metadata { get; private set; } = Metadata.Empty;

    /// <summary>Sets the metadata of a conversation being started (before it is stored).</summary>
    public void StartWith(Metadata metadata)
    {
        if (Version != 0)
        {
            throw new InvalidOperationException("Metadata is given at the start only to a conversation not yet stored.");
        }

        Metadata = metadata;
    }

    /// <summary>
    /// Changes the title (as <see cref="Rename"/>) and/or replaces the metadata: owners only on a group, either
    /// participant on a direct or task conversation; a direct conversation still has no title.
    /// </summary>
    public Outcome Update(string actorId, string? title, Metadata? metadata, DateTimeOffset now, MessagingLimits limits)
    {
        if (!HasParticipant(actorId))
        {
            return Error.ConversationNotFound;
        }

        if (title is null && metadata is null)
        {
            return Error.Invalid("title", "Give title, metadata or both.");
        }

        if (Type == ConversationType.Group && !IsOwner(actorId))
        {
            return Error.Forbidden("Only an owner may change a group conversation.");
        }

        if (title is not null)
        {
            var renamed = Rename(actorId, title, now, limits);
            if (!renamed.IsSuccess)
            {
                return renamed;
            }
        }

        if (metadata is not null)
        {
            Metadata = metadata;
            Touch(now);
        }

        return Outcome.Success;
    }
}
