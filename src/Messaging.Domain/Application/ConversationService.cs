using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;

namespace Messaging.Domain.Application;

/// <summary>Use cases of conversations: start, list, read, change membership, rename, delete, read history.</summary>
public sealed class ConversationService(
    IConversationRepository conversations,
    IMessageRepository messages,
    IAttachmentContentStore contentStore,
    ResourceMapper mapper,
    TimeProvider time,
    MessagingLimits limits)
{
    private const int MaxConcurrencyRetries = 8;

    public async Task<Result<Page<ConversationResource>>> ListAsync(string userId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        var page = await conversations.ListForParticipantAsync(userId, limit, continuationToken, cancellationToken);
        if (!page.IsSuccess)
        {
            return page.Error;
        }

        var items = new List<ConversationResource>(page.Value.Items.Count);
        foreach (var view in page.Value.Items)
        {
            items.Add(await ToResourceAsync(view, cancellationToken));
        }

        return new Page<ConversationResource>(items, page.Value.ContinuationToken);
    }

    public async Task<Result<ConversationResource>> GetAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        var view = Ids.IsWellFormed(conversationId) ? await conversations.GetViewAsync(conversationId, userId, cancellationToken) : null;
        return view is null
            ? Error.ConversationNotFound
            : await ToResourceAsync(view, cancellationToken);
    }

    /// <summary>Every participant, earliest joiner first, keyset-paged; a non-participant learns nothing (404).</summary>
    public async Task<Result<Page<ParticipantResource>>> ListParticipantsAsync(
        string userId, string conversationId, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        if (await FindParticipantAsync(userId, conversationId, cancellationToken) is null)
        {
            return Error.ConversationNotFound;
        }

        var page = await conversations.ListParticipantsAsync(conversationId, limit, continuationToken, cancellationToken);
        return page.IsSuccess
            ? new Page<ParticipantResource>([.. page.Value.Items.Select(ResourceMapper.ToResource)], page.Value.ContinuationToken)
            : page.Error;
    }

    public Task<Result<ConversationResource>> StartGroupAsync(string userId, string? title, IReadOnlyCollection<string>? participantIds, CancellationToken cancellationToken) =>
        StartGroupAsync(userId, title, participantIds, null, cancellationToken);

    public async Task<Result<ConversationResource>> StartGroupAsync(
        string userId, string? title, IReadOnlyCollection<string>? participantIds, IReadOnlyDictionary<string, string?>? metadata, CancellationToken cancellationToken)
    {
        var started = Conversation.StartGroup(userId, title, participantIds, time.Now(), limits);
        if (!started.IsSuccess)
        {
            return started.Error;
        }

        var validMetadata = Metadata.Create(metadata);
        if (!validMetadata.IsSuccess)
        {
            return validMetadata.Error;
        }

        started.Value.StartWith(validMetadata.Value);

        await conversations.AddAsync(started.Value, cancellationToken);
        return await ToResourceAsync(started.Value, userId, cancellationToken);
    }

    public async Task<Result<GetOrCreated<ConversationResource>>> GetOrStartDirectAsync(string userId, string? otherUserId, CancellationToken cancellationToken)
    {
        var candidate = Conversation.StartDirect(userId, otherUserId, time.Now());
        if (!candidate.IsSuccess)
        {
            return candidate.Error;
        }

        var (conversation, created) = await conversations.GetOrAddDirectAsync(candidate.Value, cancellationToken);
        return new GetOrCreated<ConversationResource>(await ToResourceAsync(conversation, userId, cancellationToken), created);
    }

    public async Task<Result<GetOrCreated<ConversationResource>>> GetOrStartForTaskAsync(
        string userId, string? taskId, string? title, IReadOnlyCollection<string>? participantIds, CancellationToken cancellationToken)
    {
        var candidate = Conversation.StartForTask(userId, taskId, title, participantIds, time.Now(), limits);
        if (!candidate.IsSuccess)
        {
            return candidate.Error;
        }

        var (conversation, created) = await conversations.GetOrAddForTaskAsync(candidate.Value, cancellationToken);
        if (!conversation.HasParticipant(userId))
        {
            return Error.Forbidden("The task's conversation exists and you are not a participant of it.");
        }

        return new GetOrCreated<ConversationResource>(await ToResourceAsync(conversation, userId, cancellationToken), created);
    }

    public Task<Result<ConversationResource>> AddParticipantAsync(string userId, string conversationId, string? newUserId, CancellationToken cancellationToken) =>
        ChangeAsync(userId, conversationId, c => c.AddParticipant(userId, newUserId, time.Now(), limits), cancellationToken);

    public Task<Result<ConversationResource>> RemoveParticipantAsync(string userId, string conversationId, string? removedUserId, CancellationToken cancellationToken) =>
        ChangeAsync(userId, conversationId, c => c.RemoveParticipant(userId, removedUserId, time.Now()), cancellationToken);

    public Task<Result<ConversationResource>> RenameAsync(string userId, string conversationId, string? title, CancellationToken cancellationToken) =>
        ChangeAsync(userId, conversationId, c => c.Rename(userId, title, time.Now(), limits), cancellationToken);

    /// <summary><c>PATCH /conversations/{id}/</c>: title and/or metadata (the metadata replaced as a whole).</summary>
    public Task<Result<ConversationResource>> UpdateAsync(
        string userId, string conversationId, string? title, IReadOnlyDictionary<string, string?>? metadata, CancellationToken cancellationToken)
    {
        Metadata? validMetadata = null;
        if (metadata is not null)
        {
            var created = Metadata.Create(metadata);
            if (!created.IsSuccess)
            {
                return Task.FromResult<Result<ConversationResource>>(created.Error);
            }

            validMetadata = created.Value;
        }

        return ChangeAsync(userId, conversationId, c => c.Update(userId, title, validMetadata, time.Now(), limits), cancellationToken);
    }

    public async Task<Outcome> DeleteAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        var conversation = await FindVisibleAsync(userId, conversationId, cancellationToken);
        if (conversation is null)
        {
            return Error.ConversationNotFound;
        }

        if (!conversation.CanBeDeletedBy(userId))
        {
            return Error.Forbidden("Only an owner may delete the conversation.");
        }

        var storageKeys = await conversations.DeleteAsync(conversationId, cancellationToken);
        foreach (var key in storageKeys)
        {
            await contentStore.DeleteAsync(key, cancellationToken);
        }

        return Outcome.Success;
    }

    /// <summary>History newest first (keyset-paged), or with <paramref name="afterSequence"/> the newer messages oldest first.</summary>
    public async Task<Result<Page<MessageResource>>> ListMessagesAsync(
        string userId, string conversationId, int limit, string? continuationToken, long? afterSequence, CancellationToken cancellationToken)
    {
        if (await FindParticipantAsync(userId, conversationId, cancellationToken) is null)
        {
            return Error.ConversationNotFound;
        }

        Page<Message> page;
        if (afterSequence is { } after)
        {
            var newer = await messages.ListAfterAsync(conversationId, after, limit + 1, cancellationToken);
            var items = newer.Take(limit).ToList();
            page = new Page<Message>(items, newer.Count > limit ? items[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
        }
        else
        {
            var listed = await messages.ListNewestFirstAsync(conversationId, limit, continuationToken, cancellationToken);
            if (!listed.IsSuccess)
            {
                return listed.Error;
            }

            page = listed.Value;
        }

        // The page's reactions and the caller's own in one read for the whole page.
        var resources = await mapper.ToResourcesAsync(conversationId, page.Items, userId, cancellationToken);
        return new Page<MessageResource>(resources, page.ContinuationToken);
    }

    internal async Task<Conversation?> FindVisibleAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(conversationId))
        {
            return null;
        }

        var conversation = await conversations.GetAsync(conversationId, cancellationToken);
        return conversation is not null && conversation.HasParticipant(userId) ? conversation : null;
    }

    /// <summary>The user's place in the conversation; null when the id is malformed, the conversation missing or the user not in it. One point read.</summary>
    internal async Task<Participant?> FindParticipantAsync(string userId, string conversationId, CancellationToken cancellationToken) =>
        Ids.IsWellFormed(conversationId) ? await conversations.GetParticipantAsync(conversationId, userId, cancellationToken) : null;

    public Task<ConversationResource> ToResourceAsync(Conversation conversation, string userId, CancellationToken cancellationToken) =>
        ToResourceAsync(ConversationView.Of(conversation, userId), cancellationToken);

    /// <summary>The resource for the view's viewer: their unread count (0 without a viewer) and the capped participant list.</summary>
    public async Task<ConversationResource> ToResourceAsync(ConversationView view, CancellationToken cancellationToken)
    {
        var lastMessage = await messages.GetLatestAsync(view.Id, cancellationToken);
        var viewer = view.Viewer;
        var unread = viewer is null || lastMessage is null || lastMessage.Sequence <= viewer.LastReadSequence
            ? 0
            : await messages.CountUnreadAsync(view.Id, viewer.UserId, viewer.LastReadSequence, cancellationToken);
        return await mapper.ToResourceAsync(view, lastMessage, unread, cancellationToken);
    }

    /// <summary>
    /// The conversation as every participant sees it in an event: no caller-specific unread count and the participants
    /// as owners then earliest joiners (docs/api.md), so one payload, built with a fixed number of reads, serves the whole group.
    /// </summary>
    public async Task<ConversationResource> ToSharedResourceAsync(Conversation conversation, CancellationToken cancellationToken) =>
        await mapper.ToResourceAsync(ConversationView.Of(conversation, null), await messages.GetLatestAsync(conversation.Id, cancellationToken), null, cancellationToken);

    private async Task<Result<ConversationResource>> ChangeAsync(
        string userId, string conversationId, Func<Conversation, Outcome> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var conversation = await FindVisibleAsync(userId, conversationId, cancellationToken);
            if (conversation is null)
            {
                return Error.ConversationNotFound;
            }

            var outcome = change(conversation);
            if (!outcome.IsSuccess)
            {
                return outcome.Error;
            }

            try
            {
                await conversations.UpdateAsync(conversation, cancellationToken);
                return await ToResourceAsync(conversation, userId, cancellationToken);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxConcurrencyRetries)
            {
                // Someone changed the conversation meanwhile: apply the change again to the fresh state.
            }
        }
    }
}
