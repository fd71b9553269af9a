using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store;

/// <summary>
/// The repositories of one store, how to clean it up, and how to run its background work to
/// the end (the Cosmos DB purge of deleted conversations; it answers the storage keys of the files it deleted).
/// </summary>
public sealed class StoreUnderTest(
    IConversationRepository conversations,
    IMessageRepository messages,
    IAttachmentRepository attachments,
    IReactionRepository reactions,
    Func<ValueTask>? cleanup = null,
    Func<Task<IReadOnlyList<string>>>? backgroundWork = null) : IAsyncDisposable
{
    public IConversationRepository Conversations { get; } = conversations;

    public IMessageRepository Messages { get; } = messages;

    public IAttachmentRepository Attachments { get; } = attachments;

    public IReactionRepository Reactions { get; } = reactions;

    /// <summary>What a store does after answering (nothing for SQLite); the storage keys of the attachment files it deleted.</summary>
    public Task<IReadOnlyList<string>> CompleteBackgroundWorkAsync() => backgroundWork?.Invoke() ?? Task.FromResult<IReadOnlyList<string>>([]);

    public ValueTask DisposeAsync() => cleanup?.Invoke() ?? ValueTask.CompletedTask;
}

/// <summary>
/// Base of the port contracts: each test gets a fresh store from <see cref="CreateStoreAsync"/>.
/// Contracts assert only what the ports promise, so any adapter (SQLite, Cosmos DB) can run them;
/// ids are unique per test so a shared store works too.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    protected static readonly CancellationToken Ct = CancellationToken.None;

    private StoreUnderTest? _store;

    protected StoreUnderTest Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    protected IConversationRepository Conversations => Store.Conversations;

    protected IMessageRepository Messages => Store.Messages;

    protected IAttachmentRepository Attachments => Store.Attachments;

    protected IReactionRepository Reactions => Store.Reactions;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    /// <summary>A new, empty store for one test.</summary>
    protected abstract Task<StoreUnderTest> CreateStoreAsync();

    protected async Task<Conversation> AddGroupAsync(string owner, string[] members, DateTimeOffset? at = null)
    {
        Conversation conversation = AGroup.OwnedBy(owner).With(members).At(at ?? Time.T0);
        await Conversations.AddAsync(conversation, Ct);
        return conversation;
    }

    protected async Task<Attachment> AddAttachmentAsync(string uploader, string? conversationId = null, string fileName = "photo.png")
    {
        var builder = AnAttachment.UploadedBy(uploader).Named(fileName, "image/png", 2048).At(Time.At(-60));
        Attachment attachment = conversationId is null ? builder : builder.For(conversationId);
        await Attachments.AddAsync(attachment, Ct);
        return attachment;
    }

    protected async Task<Message> AppendAsync(
        Conversation conversation, string sender, string text, int atSeconds = 1, string? clientMessageId = null, params Attachment[] attachments)
    {
        Message message = AMessage.From(sender).In(conversation).Saying(text).At(Time.At(atSeconds)).WithClientId(clientMessageId).WithAttachments(attachments);
        var outcome = await Messages.AppendAsync(message, Ct);
        Assert.Equal(AppendStatus.Created, outcome.Status);
        return outcome.Message!;
    }

    protected static void AssertSameConversation(Conversation expected, Conversation? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Title, actual.Title);
        Assert.Equal(expected.TaskId, actual.TaskId);
        Assert.Equal(expected.CreatedBy, actual.CreatedBy);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.UpdatedAt, actual.UpdatedAt);
        Assert.Equal(expected.DirectKey, actual.DirectKey);
        Assert.Equal(Describe(expected.Participants), Describe(actual.Participants));
    }

    protected static void AssertSameMessage(Message expected, Message? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.ConversationId, actual.ConversationId);
        Assert.Equal(expected.SenderId, actual.SenderId);
        Assert.Equal(expected.Sequence, actual.Sequence);
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Attachments, actual.Attachments);
        Assert.Equal(expected.ClientMessageId, actual.ClientMessageId);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.EditedAt, actual.EditedAt);
        Assert.Equal(expected.DeletedAt, actual.DeletedAt);
    }

    protected static void AssertSameAttachment(Attachment expected, Attachment? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Info, actual.Info);
        Assert.Equal(expected.ConversationId, actual.ConversationId);
        Assert.Equal(expected.MessageId, actual.MessageId);
        Assert.Equal(expected.StorageKey, actual.StorageKey);
    }

    /// <summary>Participants as comparable values, in a stable order; the port does not promise one.</summary>
    protected static IReadOnlyList<(string UserId, ParticipantRole Role, DateTimeOffset JoinedAt, ReadWatermark? Watermark)> Describe(IEnumerable<Participant> participants) =>
        [.. participants.Select(p => (p.UserId, p.Role, p.JoinedAt, p.Watermark)).OrderBy(p => p.UserId, StringComparer.Ordinal)];

    /// <summary>Follows continuation tokens to the end, checking each page's size.</summary>
    protected static async Task<List<T>> ReadAllPagesAsync<T>(Func<string?, Task<Result<Page<T>>>> readPage, int limit)
    {
        var all = new List<T>();
        string? token = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = (await readPage(token)).Ok();
            Assert.True(page.Items.Count <= limit, $"A page held {page.Items.Count} items, more than the limit {limit}.");
            all.AddRange(page.Items);
            token = page.ContinuationToken;
            if (token is null)
            {
                return all;
            }
        }

        Assert.Fail("Paging did not end.");
        return all;
    }
}
