using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;

namespace Messaging.Tests.Domain;

/// <summary>Fixed, millisecond-precise instants: what every store keeps, so round-trips compare equal.</summary>
public static class Time
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

    public static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);
}

/// <summary>Unique user and task ids, so tests never see each other's data even in a shared store.</summary>
public static class Some
{
    public static string User(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    public static string TaskId() => $"task-{Guid.NewGuid():N}";
}

public static class Unwrap
{
    public static T Ok<T>(this Result<T> result)
    {
        Assert.True(result.IsSuccess, result.Error?.Detail);
        return result.Value;
    }

    public static void Ok(this Outcome outcome) => Assert.True(outcome.IsSuccess, outcome.Error?.Detail);

    public static Error Failed<T>(this Result<T> result, ErrorKind kind)
    {
        Assert.False(result.IsSuccess, "Expected an error but the result succeeded.");
        Assert.Equal(kind, result.Error!.Kind);
        return result.Error;
    }

    public static Error Failed(this Outcome outcome, ErrorKind kind)
    {
        Assert.False(outcome.IsSuccess, "Expected an error but the outcome succeeded.");
        Assert.Equal(kind, outcome.Error!.Kind);
        return outcome.Error;
    }
}

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

/// <summary><c>ADirect.Between("alice", "bob")</c></summary>
public static class ADirect
{
    public static Conversation Between(string creator, string other, DateTimeOffset? at = null) =>
        Conversation.StartDirect(creator, other, at ?? Time.T0).Ok();
}

/// <summary><c>AnAttachment.UploadedBy("alice").Named("a.png").Build()</c></summary>
public sealed class AnAttachment
{
    private readonly string _uploader;
    private string _fileName = "photo.png";
    private string _contentType = "image/png";
    private long _size = 1234;
    private string? _conversationId;
    private DateTimeOffset _at = Time.T0;

    private AnAttachment(string uploader) => _uploader = uploader;

    public static AnAttachment UploadedBy(string uploader) => new(uploader);

    public AnAttachment Named(string fileName, string contentType = "application/octet-stream", long size = 42)
    {
        _fileName = fileName;
        _contentType = contentType;
        _size = size;
        return this;
    }

    public AnAttachment For(string conversationId)
    {
        _conversationId = conversationId;
        return this;
    }

    public AnAttachment At(DateTimeOffset at)
    {
        _at = at;
        return this;
    }

    public Attachment Build() =>
        Attachment.Create(new AttachmentInfo(Ids.New(), _fileName, _contentType, _size, _uploader, _at), _conversationId);

    public static implicit operator Attachment(AnAttachment builder) => builder.Build();
}

/// <summary><c>AMessage.From("alice").In(conversation).Saying("hi").Build()</c></summary>
public sealed class AMessage
{
    private readonly string _sender;
    private string _conversationId = Ids.New();
    private string? _text = "hello";
    private readonly List<AttachmentInfo> _attachments = [];
    private string? _clientMessageId;
    private DateTimeOffset _at = Time.T0;
    private MessagingLimits _limits = new();

    private AMessage(string sender) => _sender = sender;

    public static AMessage From(string sender) => new(sender);

    public AMessage In(Conversation conversation) => In(conversation.Id);

    public AMessage In(string conversationId)
    {
        _conversationId = conversationId;
        return this;
    }

    public AMessage Saying(string? text)
    {
        _text = text;
        return this;
    }

    public AMessage WithAttachments(params Attachment[] attachments)
    {
        _attachments.AddRange(attachments.Select(a => a.Info));
        return this;
    }

    public AMessage WithClientId(string? clientMessageId)
    {
        _clientMessageId = clientMessageId;
        return this;
    }

    public AMessage At(DateTimeOffset at)
    {
        _at = at;
        return this;
    }

    public AMessage Limits(MessagingLimits limits)
    {
        _limits = limits;
        return this;
    }

    public Result<Message> TryBuild() => Message.Compose(_conversationId, _sender, _text, _attachments, _clientMessageId, _at, _limits);

    public Message Build() => TryBuild().Ok();

    public static implicit operator Message(AMessage builder) => builder.Build();
}
