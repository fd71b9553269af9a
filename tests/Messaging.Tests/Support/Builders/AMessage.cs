using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;

namespace Messaging.Tests.Support.Builders;

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
