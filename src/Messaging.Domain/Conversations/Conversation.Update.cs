using Messaging.Domain.Common;

namespace Messaging.Domain.Conversations;

/// <summary>Changes of title and metadata: <c>update_title</c> and <c>PATCH /conversations/{id}/</c> (issue 16).</summary>
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

    public Outcome Rename(string actorId, string? title, DateTimeOffset now, MessagingLimits limits)
    {
        if (!HasParticipant(actorId))
        {
            return Error.ConversationNotFound;
        }

        if (Type == ConversationType.Direct)
        {
            return Error.Invalid("title", "A direct conversation has no title.");
        }

        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > limits.MaxTitleLength)
        {
            return Error.Invalid("title", $"title must be 1 to {limits.MaxTitleLength} characters after trimming.");
        }

        if (trimmed.Any(IsForbiddenControl))
        {
            return Error.Invalid("title", "title must not contain control characters.");
        }

        Title = trimmed;
        Touch(now);
        return Outcome.Success;
    }

    private static Result<string?> NormalizeOptionalTitle(string? title, MessagingLimits limits)
    {
        if (title is null)
        {
            return Result<string?>.Success(null);
        }

        var trimmed = title.Trim();
        if (trimmed.Length == 0)
        {
            return Result<string?>.Success(null);
        }

        if (trimmed.Length > limits.MaxTitleLength)
        {
            return Error.Invalid("title", $"title must be at most {limits.MaxTitleLength} characters after trimming.");
        }

        if (trimmed.Any(IsForbiddenControl))
        {
            return Error.Invalid("title", "title must not contain control characters.");
        }

        return Result<string?>.Success(trimmed);
    }
}
