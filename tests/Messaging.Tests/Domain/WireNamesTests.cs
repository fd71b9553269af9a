using Messaging.Domain.Conversations;

namespace Messaging.Tests.Domain;

public sealed class WireNamesTests
{
    [Fact]
    public void Conversation_types_are_spelled_as_the_api_document_says_and_read_back()
    {
        Assert.Equal(["direct", "group", "task"], Enum.GetValues<ConversationType>().Select(WireNames.Of));
        Assert.All(Enum.GetValues<ConversationType>(), type => Assert.Equal(type, WireNames.TypeNamed(WireNames.Of(type))));
        Assert.Null(WireNames.TypeNamed("Group"));
    }

    [Fact]
    public void Roles_are_owner_and_member_and_read_back()
    {
        Assert.Equal(["owner", "member"], new[] { ParticipantRole.Owner, ParticipantRole.Member }.Select(WireNames.Of));
        Assert.Equal(ParticipantRole.Owner, WireNames.RoleNamed("owner"));
        Assert.Equal(ParticipantRole.Member, WireNames.RoleNamed("member"));
    }
}
