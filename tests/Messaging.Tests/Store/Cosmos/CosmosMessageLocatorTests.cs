using System.Net;
using Messaging.Domain.Messages;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support.Builders;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// The message locator (message id → conversation) of a send that never committed expires; a committed
/// message's locator stays for good. The double expires items by their <c>ttl</c> as Cosmos DB does
/// (https://learn.microsoft.com/azure/cosmos-db/time-to-live; DoubleRulesTests covers that rule).
/// </summary>
public sealed class CosmosMessageLocatorTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly ManualClock _clock = new(Time.T0);
    private StoreUnderTest _store = null!;
    private DoubleDatabase _database = null!;

    public Task InitializeAsync()
    {
        _store = CosmosTestStore.OnDouble(out _database, _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<Messaging.Domain.Conversations.Conversation> GroupAsync()
    {
        var group = AGroup.OwnedBy(Some.User("alice")).With([Some.User("bob")]).At(Time.T0).Build();
        await _store.Conversations.AddAsync(group, Ct);
        return group;
    }

    private async Task<bool> LocatorExistsAsync(string messageId)
    {
        var id = MessageLocatorDocument.IdOf(messageId);
        using var response = await _database.Container(CosmosStore.ConversationsContainer).ReadItemStreamAsync(id, new PartitionKey(id), cancellationToken: Ct);
        return response.StatusCode == HttpStatusCode.OK;
    }

    [Fact]
    public async Task The_locator_of_a_send_whose_batch_failed_expires()
    {
        var group = await GroupAsync();
        Message message = AMessage.From(group.Participants[0].UserId).In(group).Saying("lost").At(Time.At(1));
        _database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Unavailable(), times: 1000);

        await Assert.ThrowsAnyAsync<CosmosException>(() => _store.Messages.AppendAsync(message, Ct));
        _database.Faults.Clear();

        _clock.Advance(TimeSpan.FromDays(2));
        Assert.False(await LocatorExistsAsync(message.Id));
        Assert.Null(await _store.Messages.GetAsync(message.Id, Ct));
    }

    [Fact]
    public async Task A_committed_messages_locator_never_expires_and_another_instance_finds_it_years_later()
    {
        var group = await GroupAsync();
        var sent = (await _store.Messages.AppendAsync(AMessage.From(group.Participants[0].UserId).In(group).Saying("kept").At(Time.At(1)), Ct)).Message!;

        _clock.Advance(TimeSpan.FromDays(3 * 365));
        var otherInstance = new CosmosMessageRepository(new CosmosStore(new CosmosOptions { Database = _database.Id }, _database));

        Assert.True(await LocatorExistsAsync(sent.Id));
        Assert.Equal("kept", (await otherInstance.GetAsync(sent.Id, Ct))?.Text);
    }

    [Fact]
    public async Task A_committed_message_whose_locator_could_not_be_kept_is_kept_by_the_next_lookup_by_id()
    {
        var group = await GroupAsync();
        _database.Faults.Inject(CosmosOperation.Patch, new CosmosFault.Unavailable(), times: 1000);
        var sent = (await _store.Messages.AppendAsync(AMessage.From(group.Participants[0].UserId).In(group).Saying("kept").At(Time.At(1)), Ct)).Message!;
        _database.Faults.Clear();

        var otherInstance = new CosmosMessageRepository(new CosmosStore(new CosmosOptions { Database = _database.Id }, _database));
        Assert.Equal("kept", (await otherInstance.GetAsync(sent.Id, Ct))?.Text);
        _clock.Advance(TimeSpan.FromDays(30));

        Assert.True(await LocatorExistsAsync(sent.Id));
    }
}
