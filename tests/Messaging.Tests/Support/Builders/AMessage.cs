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
    private MessageAddenda? _addenda;

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

    /// <summary>A reply to <paramref name="parent"/> (with its preview, as the service builds it).</summary>
    public AMessage Answering(Message parent)
    {
        _addenda = (_addenda ?? new MessageAddenda()) with
        {
            ReplyToId = parent.Id,
            ReplyTo = ReplyPreview.Of(parent.Id, parent.SenderId, parent.Text, parent.DeletedAt),
        };
        return this;
    }

    public AMessage Mentioning(params string[] userIds)
    {
        _addenda = (_addenda ?? new MessageAddenda()) with { Mentions = userIds };
        return this;
    }

    public AMessage WithMetadata(params (string Key, string Value)[] values)
    {
        _addenda = (_addenda ?? new MessageAddenda()) with
        {
            Metadata = Metadata.Create(values.ToDictionary(v => v.Key, v => (string?)v.Value)).Ok(),
        };
        return this;
    }

    public Result<Message> TryBuild() => Message.Compose(_conversationId, _sender, _text, _attachments, _clientMessageId, _at, _limits, _addenda);

    public Message Build() => TryBuild().Ok();

    public static implicit operator Message(AMessage builder) => builder.Build();
}
