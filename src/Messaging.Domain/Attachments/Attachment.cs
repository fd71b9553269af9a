using Messaging.Domain.Common;

namespace Messaging.Domain.Attachments;

/// <summary>The immutable facts of an uploaded file that a message carries.</summary>
public sealed record AttachmentInfo(
    string Id,
    string FileName,
    string ContentType,
    long Size,
    string UploadedBy,
    DateTimeOffset CreatedAt);

/// <summary>An uploaded file: who uploaded it, where it belongs, and the key of its bytes in the content store.</summary>
public sealed class Attachment
{
    private Attachment(AttachmentInfo info, string? conversationId, string? messageId)
    {
        Info = info;
        ConversationId = conversationId;
        MessageId = messageId;
    }

    public AttachmentInfo Info { get; }

    public string Id => Info.Id;

    public string UploadedBy => Info.UploadedBy;

    public string? ConversationId { get; private set; }

    public string? MessageId { get; private set; }

    public string StorageKey => AttachmentStorageKey.For(Id);

    public static Attachment Create(AttachmentInfo info, string? conversationId) => new(info, conversationId, null);

    public static Attachment Restore(AttachmentInfo info, string? conversationId, string? messageId) => new(info, conversationId, messageId);

    /// <summary>Only the uploader's own attachments not yet used by a message, and not bound to another conversation, may be attached.</summary>
    public Outcome CanBeAttachedBy(string senderId, string conversationId)
    {
        if (UploadedBy != senderId)
        {
            return Error.Invalid("attachmentIds", $"Attachment {Id} does not exist.");
        }

        if (MessageId is not null)
        {
            return Error.Invalid("attachmentIds", $"Attachment {Id} is already used by another message.");
        }

        if (ConversationId is not null && ConversationId != conversationId)
        {
            return Error.Invalid("attachmentIds", $"Attachment {Id} belongs to another conversation.");
        }

        return Outcome.Success;
    }

    public void AttachTo(string conversationId, string messageId)
    {
        ConversationId = conversationId;
        MessageId = messageId;
    }

    // Leading and trailing dots and white space: "..", ". . ." and "name. " are not safe names.
    private static readonly char[] TrimmedEdges = [' ', '.', '\t', '\u00A0', '\u1680', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200A', '\u3000', '\u0085'];

    /// <summary>Reduces a client-supplied file name to a safe base name.</summary>
    public static string SafeFileName(string? fileName)
    {
        var name = (fileName ?? "").Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var builder = new System.Text.StringBuilder(name.Length);
        foreach (var rune in name.EnumerateRunes())
        {
            var category = System.Text.Rune.GetUnicodeCategory(rune);
            var unsafeRune = rune == System.Text.Rune.ReplacementChar
                || System.Text.Rune.IsControl(rune)
                || category is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator
                || (rune.IsAscii && "<>:\"|?*".Contains((char)rune.Value, StringComparison.Ordinal));
            if (!unsafeRune)
            {
                builder.Append(rune);
            }
        }

        var cleaned = builder.ToString();
        cleaned = cleaned.Trim(TrimmedEdges);
        if (cleaned.Length > 200)
        {
            var extension = Path.GetExtension(cleaned);
            extension = extension.Length <= 20 ? extension : "";
            var cut = 200 - extension.Length;
            if (char.IsLowSurrogate(cleaned[cut]))
            {
                cut--; // never split a surrogate pair
            }

            cleaned = cleaned[..cut] + extension;
        }

        var stem = cleaned.Split('.')[0].ToUpperInvariant();
        string[] reserved = ["CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"];
        if (reserved.Contains(stem))
        {
            cleaned = "_" + cleaned;
        }

        return cleaned.Length == 0 ? "file" : cleaned;
    }
}
