using FsCheck;
using FsCheck.Fluent;
using Messaging.Domain.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Tests.SignalRService;

public enum DeliveryStep
{
    Send,
    Edit,
    Delete,
    Add,
    Remove,
    Rename,
    Read,
    DeleteConversation,
    Deliver,
    Redeliver,
    Refuse,
    Forget,
    Reconnect,
    Reconcile,
}

/// <summary>One step of a run: what happens, to which user (<paramref name="User"/>) and conversation or count (<paramref name="Other"/>).</summary>
public sealed record DeliveryOperation(DeliveryStep Step, int User, int Other)
{
    public override string ToString() => $"{Step}({User},{Other})";
}

/// <summary>
/// A model-based property over random interleavings of sends, edits, deletes, adds, removes,
/// renames, reads and conversation deletes, with a change feed that lags, batches as it likes and
/// redelivers, and an Azure SignalR Service that refuses calls and forgets its mappings. Asserts:
/// no event of a conversation reaches a user while they are not a participant (only
/// <c>conversation.deleted</c> may); once the service behaves again, every participant receives
/// every new <c>message.created</c>, in sequence order; and the group of each conversation's
/// current membership epoch holds exactly its participants. On both stores: the embedded outbox,
/// and the Cosmos DB adapter's change records read from the double's latest-version feeds.
/// </summary>
public sealed class DeliveryModelTests
{
    private const int Users = 5;

    private static readonly Gen<DeliveryOperation[]> Runs =
        Gen.Frequency(
            (6, Step(DeliveryStep.Send, 0, 1)),
            (1, Step(DeliveryStep.Edit, 0, 1)),
            (1, Step(DeliveryStep.Delete, 0, 1)),
            (3, Step(DeliveryStep.Add, 0, 1)),
            (3, Step(DeliveryStep.Remove, 0, 1)),
            (1, Step(DeliveryStep.Rename, 0, 1)),
            (2, Step(DeliveryStep.Read, 0, 1)),
            (1, Step(DeliveryStep.DeleteConversation, 0, 1)),
            (6, Step(DeliveryStep.Deliver, 0, 7)),
            (1, Step(DeliveryStep.Redeliver, 0, 0)),
            (3, Step(DeliveryStep.Refuse, 0, 4)),
            (1, Step(DeliveryStep.Forget, 0, 0)),
            (2, Step(DeliveryStep.Reconnect, 0, 0)),
            (1, Step(DeliveryStep.Reconcile, 0, 0)))
        .ArrayOf();

    [Theory]
    [InlineData(DeliveryStore.Sqlite)]
    [InlineData(DeliveryStore.Cosmos)]
    public async Task No_event_reaches_a_removed_user_and_everyone_else_converges_whatever_the_feed_and_the_service_do(DeliveryStore store)
    {
        await using var service = await FakeSignalRService.StartAsync();
        var property = Prop.ForAll(Runs.ToArbitrary(), run => Verdict(service, store, run, publisher: null, checkConvergence: true));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60).WithEndSize(60), property);
    }

    [Fact]
    public async Task The_model_finds_the_leak_of_one_group_per_conversation()
    {
        // The mechanism this project used before: one group per conversation, users taken out of it when removed.
        await using var service = await FakeSignalRService.StartAsync();
        var property = Prop.ForAll(Runs.ToArbitrary(), run => Verdict(service, DeliveryStore.Sqlite, run, sp => new GroupPerConversationPublisher(sp.GetRequiredService<SignalRGroups>()), checkConvergence: false));
        var failure = Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(60), property));
        Assert.Contains("without being a participant", failure.Message, StringComparison.Ordinal);
    }

    private static Gen<DeliveryOperation> Step(DeliveryStep step, int min, int max) =>
        from user in Gen.Choose(0, Users - 1)
        from other in Gen.Choose(min, max)
        select new DeliveryOperation(step, user, other);

    private static bool Verdict(FakeSignalRService service, DeliveryStore store, DeliveryOperation[] run, Func<IServiceProvider, IRealtimePublisher>? publisher, bool checkConvergence)
    {
        var violation = Task.Run(() => new DeliveryRun(service, store, publisher, checkConvergence).RunAsync(run)).GetAwaiter().GetResult();
        return violation is null ? true : throw new InvalidOperationException(violation);
    }

    /// <summary>The previous mechanism, for the model to catch: a fixed group per conversation.</summary>
    private sealed class GroupPerConversationPublisher(SignalRGroups groups) : IRealtimePublisher
    {
        public Task SendToConversationAsync(ConversationAudience audience, string eventName, object payload, CancellationToken cancellationToken) =>
            groups.SendToGroupAsync($"conversation_{audience.ConversationId}", SignalRGroups.Body(eventName, payload), cancellationToken);

        public Task SendToUsersAsync(IReadOnlyCollection<string> userIds, string eventName, object payload, CancellationToken cancellationToken) =>
            SignalRGroups.ForEachUserAsync(userIds, (user, token) => groups.SendToUserAsync(user, SignalRGroups.Body(eventName, payload), token), cancellationToken);

        public Task JoinConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
            SignalRGroups.ForEachUserAsync(userIds, (user, token) => groups.AddUserAsync($"conversation_{audience.ConversationId}", user, token), cancellationToken);

        public Task LeaveConversationAsync(ConversationAudience audience, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken) =>
            SignalRGroups.ForEachUserAsync(userIds, (user, token) => groups.RemoveUserAsync($"conversation_{audience.ConversationId}", user, token), cancellationToken);
    }
}
