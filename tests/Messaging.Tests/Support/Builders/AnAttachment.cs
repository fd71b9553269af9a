using Messaging.Domain.Attachments;
using Messaging.Domain.Common;

namespace Messaging.Tests.Support.Builders;

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
