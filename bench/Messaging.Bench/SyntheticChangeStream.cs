using Messaging.Domain.Realtime;

namespace Messaging.Bench;

/// <summary>The seeded conversations a synthetic stream talks about: members and message ids of each.</summary>
internal sealed record StreamConversation(string Id, IReadOnlyList<string> Members, IReadOnlyList<string> MessageIds);

/// <summary>
/// An endless, seeded mix of committed changes over small conversations and one large one, as a
/// store's change feed would report them: mostly <c>message.created</c>, some read receipts, some
/// renames. Every change names state that is in the store (seeded messages, seeded watermarks), so
/// the fan-out finds what it reads and publishes every change.
/// </summary>
internal sealed class SyntheticChangeStream(IReadOnlyList<StreamConversation> small, StreamConversation large, int seed)
{
    /// <summary>Shares of the mix, in percent; the rest is <c>message.created</c>.</summary>
    public const int ReadReceiptPercent = 10;

    public const int RenamePercent = 5;

    /// <summary>Changes of the large conversation, in percent: a busy room, about ten times as active as a small conversation.</summary>
    public const int LargeConversationPercent = 1;

    private readonly Random _random = new(seed);

    public IReadOnlyList<StreamConversation> Small => small;

    public StreamConversation Large => large;

    public static string Describe() =>
        $"{100 - ReadReceiptPercent - RenamePercent} % message.created, {ReadReceiptPercent} % read receipts (message.read), {RenamePercent} % renames (conversation.updated); "
        + $"{LargeConversationPercent} % of changes in the large conversation, the rest uniform over the small ones";

    /// <summary>The next <paramref name="count"/> changes of the mix.</summary>
    public List<CommittedChange> Next(int count)
    {
        var changes = new List<CommittedChange>(count);
        for (var i = 0; i < count; i++)
        {
            var conversation = _random.Next(100) < LargeConversationPercent ? large : small[_random.Next(small.Count)];
            var kind = _random.Next(100);
            changes.Add(kind < ReadReceiptPercent
                ? new ReadWatermarkMoved(conversation.Id, Pick(conversation.Members))
                : kind < ReadReceiptPercent + RenamePercent
                    ? new ConversationChanged(conversation.Id, [], [])
                    : MessageIn(conversation));
        }

        return changes;
    }

    /// <summary>One <c>message.created</c> in each of the conversations, in their order.</summary>
    public List<CommittedChange> OneMessageEach(IEnumerable<StreamConversation> conversations) => [.. conversations.Select(MessageIn)];

    /// <summary><paramref name="count"/> <c>message.created</c> in one conversation.</summary>
    public List<CommittedChange> MessagesIn(StreamConversation conversation, int count) => [.. Enumerable.Range(0, count).Select(_ => MessageIn(conversation))];

    private CommittedChange MessageIn(StreamConversation conversation) => new MessageCreated(conversation.Id, Pick(conversation.MessageIds));

    private string Pick(IReadOnlyList<string> values) => values[_random.Next(values.Count)];
}
