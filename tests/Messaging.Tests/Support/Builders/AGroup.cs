using Messaging.Domain.Common;
using Messaging.Domain.Conversations;

namespace Messaging.Tests.Support.Builders;

/// <summary><c>AGroup.OwnedBy("alice").With("bob").Build()</c></summary>
public sealed class AGroup
{
    private readonly string _owner;
    private readonly List<string> _members = [];
    private string? _title = "Team";
    private string? _taskId;
    private DateTimeOffset _at = Time.T0;
    private MessagingLimits _limits = new();

    private AGroup(string owner) => _owner = owner;

    public static AGroup OwnedBy(string owner) => new(owner);

    public AGroup With(params string[] members)
    {
        _members.AddRange(members);
        return this;
    }

    public AGroup Titled(string? title)
    {
        _title = title;
        return this;
    }

    public AGroup ForTask(string taskId)
    {
        _taskId = taskId;
        return this;
    }

    public AGroup At(DateTimeOffset at)
    {
        _at = at;
        return this;
    }

    public AGroup Limits(MessagingLimits limits)
    {
        _limits = limits;
        return this;
    }

    public Result<Conversation> TryBuild() => _taskId is null
        ? Conversation.StartGroup(_owner, _title, _members, _at, _limits)
        : Conversation.StartForTask(_owner, _taskId, _title, _members, _at, _limits);

    public Conversation Build() => TryBuild().Ok();

    public static implicit operator Conversation(AGroup builder) => builder.Build();
}
