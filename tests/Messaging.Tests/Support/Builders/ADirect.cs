using Messaging.Domain.Conversations;

namespace Messaging.Tests.Support.Builders;

/// <summary><c>ADirect.Between("alice", "bob")</c></summary>
public static class ADirect
{
    public static Conversation Between(string creator, string other, DateTimeOffset? at = null) =>
        Conversation.StartDirect(creator, other, at ?? Time.T0).Ok();
}
