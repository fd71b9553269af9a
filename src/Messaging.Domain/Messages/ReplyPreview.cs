using System.Globalization;

namespace Messaging.Domain.Messages;

/// <summary>
/// What a reply shows of the message it answers: read from that message when the reply is read (never
/// copied onto the reply), so an edit or a delete of the parent shows at once and costs one write.
/// </summary>
public sealed record ReplyPreview(string Id, string SenderId, string Text, DateTimeOffset? DeletedAt)
{
    public const int MaxTextLength = 200;

    public static ReplyPreview Of(string id, string senderId, string text, DateTimeOffset? deletedAt) =>
        new(id, senderId, deletedAt is null ? Cut(text) : "", deletedAt);

    // Cut on whole user-perceived characters, so an emoji or an accented letter is never split.
    private static string Cut(string text)
    {
        if (text.Length <= MaxTextLength)
        {
            return text;
        }

        var info = new StringInfo(text);
        return info.LengthInTextElements <= MaxTextLength ? text : info.SubstringByTextElements(0, MaxTextLength);
    }
}
