using Messaging.Domain.Conversations;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// What <c>GET /presence/</c> costs on Cosmos DB: who shares a conversation with the caller is found in a
/// fixed number of calls, whatever the number of candidates or of the caller's conversations.
/// </summary>
public sealed class CosmosPresenceCostTests : CosmosDoubleTest
{
    [Fact]
    public async Task Co_participants_of_100_candidates_are_found_in_a_few_calls_not_one_query_per_candidate()
    {
        var caller = TestApi.NewUser("caller");
        var partners = Enumerable.Range(0, 30).Select(i => TestApi.NewUser($"partner{i}")).ToList();
        foreach (var partner in partners)
        {
            Conversation group = AGroup.OwnedBy(caller).With(partner).At(Time.T0);
            await Store.Conversations.AddAsync(group, Ct);
        }

        var strangers = Enumerable.Range(0, 70).Select(i => TestApi.NewUser($"stranger{i}")).ToList();
        Conversation elsewhere = AGroup.OwnedBy(strangers[0]).With([.. strangers.Skip(1)]).At(Time.T0);
        await Store.Conversations.AddAsync(elsewhere, Ct);

        var before = Database.Calls;
        var shared = await Store.Conversations.ListCoParticipantsAsync(caller, [.. partners, .. strangers], Ct);

        Assert.Equal(partners.Order(StringComparer.Ordinal), shared.Order(StringComparer.Ordinal));
        Assert.InRange(Database.Calls - before, 1, 4);
    }
}
