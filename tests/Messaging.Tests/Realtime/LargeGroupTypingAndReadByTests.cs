using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Realtime;
using Messaging.Functions.Storage.Files;
using Messaging.Tests.Store;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.Extensions.Logging.Abstractions;
using static Messaging.Tests.Realtime.ConversationEventCostTests;

namespace Messaging.Tests.Realtime;

/// <summary>
/// A typing indicator and a message's <c>readBy</c> in a large group, on both stores: neither loads the
/// whole conversation (every participant), and <c>readBy</c> lists at most 20 readers with their count (docs/decisions/0011).
/// </summary>
public sealed class LargeGroupTypingAndReadByTests : IDisposable
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly MessagingLimits Limits = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "messaging-large-group-reads", Guid.NewGuid().ToString("N"));

    public void Dispose() => TemporaryFolder.DeleteQuietly(_folder);

    public static TheoryData<string> Stores => ["sqlite", "cosmos"];

    private static Task<StoreUnderTest> StoreAsync(string kind) => kind == "sqlite" ? SqliteStore.CreateAsync() : Task.FromResult(CosmosTestStore.OnDouble(out _));

    private static async Task<Conversation> GroupAsync(StoreUnderTest store, string owner, int members)
    {
        var group = AGroup.OwnedBy(owner).With([.. Enumerable.Range(0, members).Select(_ => Some.User("m"))]).At(Time.At(0)).Build();
        await store.Conversations.AddAsync(group, Ct);
        return group;
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_typing_start_in_a_group_of_300_reaches_the_299_others_without_loading_the_conversation(string kind)
    {
        await using var store = await StoreAsync(kind);
        var owner = Some.User("owner");
        var group = await GroupAsync(store, owner, 299);
        var calls = new List<string>();
        var publisher = new UsersPublisher();
        var conversations = CountingProxy<IConversationRepository>.Wrap(store.Conversations, calls);
        var content = new FileSystemContentStore(_folder, new DownloadUrlSigner(_folder, TimeProvider.System, TimeSpan.FromMinutes(15)), NullLogger<FileSystemContentStore>.Instance);
        var service = new ConversationService(conversations, store.Messages, content, new ResourceMapper(content), TimeProvider.System, Limits);
        var typing = new TypingService(service, conversations, publisher, TimeProvider.System);

        var indicator = await typing.SetTypingAsync(owner, group.Id, true, Ct);

        Assert.True(indicator.IsSuccess);
        Assert.DoesNotContain("IConversationRepository.GetAsync", calls);
        var (recipients, name) = Assert.Single(publisher.Sent);
        Assert.Equal(EventNames.TypingIndicator, name);
        Assert.Equal(group.Participants.Select(p => p.UserId).Where(id => id != owner).Order(), recipients.Order());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Read_by_of_a_message_read_by_30_lists_the_20_latest_readers_and_counts_all_30(string kind)
    {
        await using var store = await StoreAsync(kind);
        var owner = Some.User("owner");
        var group = await GroupAsync(store, owner, 35);
        var sent = (await store.Messages.AppendAsync(AMessage.From(owner).In(group).Saying("hello").At(Time.At(1)), Ct)).Message!;
        var readers = group.Participants.Select(p => p.UserId).Where(id => id != owner).Take(30).ToList();
        for (var i = 0; i < readers.Count; i++)
        {
            await store.Conversations.AdvanceWatermarkAsync(group.Id, readers[i], new ReadWatermark(sent.Id, sent.Sequence, Time.At(10 + i)), Ct);
        }

        await store.Conversations.AdvanceWatermarkAsync(group.Id, owner, new ReadWatermark(sent.Id, sent.Sequence, Time.At(100)), Ct);
        var calls = new List<string>();
        var conversations = CountingProxy<IConversationRepository>.Wrap(store.Conversations, calls);
        var content = new FileSystemContentStore(_folder, new DownloadUrlSigner(_folder, TimeProvider.System, TimeSpan.FromMinutes(15)), NullLogger<FileSystemContentStore>.Instance);
        var mapper = new ResourceMapper(content);
        var service = new ConversationService(conversations, store.Messages, content, mapper, TimeProvider.System, Limits);
        using var rateLimiter = new UserRateLimiter(Limits);
        var messages = new MessageService(conversations, store.Messages, store.Attachments, content, service, mapper, TimeProvider.System, Limits, rateLimiter);

        var resource = (await messages.GetAsync(readers[0], sent.Id, Ct)).Value;

        Assert.Equal(30, resource.ReadByCount);
        Assert.Equal(readers.AsEnumerable().Reverse().Take(20), resource.ReadBy!.Select(r => r.UserId));
        Assert.Equal(Time.At(39), resource.ReadBy![0].ReadAt);
        Assert.DoesNotContain("IConversationRepository.GetAsync", calls);
    }

    private sealed class UsersPublisher : IRealtimePublisher
    {
        public List<(IReadOnlyCollection<string> UserIds, string EventName)> Sent { get; } = [];

        public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A typing indicator goes to the others only.");

        public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken)
        {
            Sent.Add((userIds, eventName));
            return Task.CompletedTask;
        }

        public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
