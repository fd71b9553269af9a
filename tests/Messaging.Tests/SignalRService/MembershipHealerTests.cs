using System.Reflection;
using Messaging.Domain.Conversations;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Tests.Support.Builders;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.SignalRService;

/// <summary>Healing on connect puts the user back into every conversation's group, even when one of them cannot be read just then.</summary>
public sealed class MembershipHealerTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private FakeSignalRService _service = null!;
    private DeliveryWorld _world = null!;

    public async Task InitializeAsync()
    {
        _service = await FakeSignalRService.StartAsync();
        _world = DeliveryWorld.Create(_service, DeliveryStore.Sqlite);
    }

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task A_conversation_that_cannot_be_read_while_healing_does_not_stop_the_others_and_is_reconciled_later()
    {
        var (owner, alice) = (Some.User("owner"), Some.User("alice"));
        var unreadable = AGroup.OwnedBy(owner).With([alice]).At(Time.T0).Build();
        var readable = AGroup.OwnedBy(owner).With([alice]).At(Time.T0).Build();
        await _world.Store.AddAsync(unreadable, Ct);
        await _world.Store.AddAsync(readable, Ct);
        var store = UnreadableConversation.Wrap(_world.Store, unreadable.Id);
        var healer = new MembershipHealer(store, _world.Rest, _world.Reconciler, NullLogger<MembershipHealer>.Instance);

        await healer.HealAsync(alice, Ct);

        Assert.Contains(alice, _service.UsersOf(SignalRGroups.GroupFor(readable.Id, readable.MembershipEpoch)));
        Assert.Equal(0, await _world.Reconciler.ReconcilePendingNowAsync(Ct));
        Assert.Contains(alice, _service.UsersOf(SignalRGroups.GroupFor(unreadable.Id, unreadable.MembershipEpoch)));
    }

    /// <summary>The store, except that reading one conversation fails as a database that is briefly unavailable does.</summary>
    public class UnreadableConversation : DispatchProxy
    {
        private IConversationRepository _inner = null!;
        private string _conversationId = "";

        public static IConversationRepository Wrap(IConversationRepository inner, string conversationId)
        {
            var proxy = Create<IConversationRepository, UnreadableConversation>();
            var self = (UnreadableConversation)(object)proxy;
            self._inner = inner;
            self._conversationId = conversationId;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IConversationRepository.GetAsync) && Equals(args![0], _conversationId))
            {
                return Task.FromException<Conversation?>(new TimeoutException("The store did not answer in time."));
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                throw exception.InnerException;
            }
        }
    }
}
