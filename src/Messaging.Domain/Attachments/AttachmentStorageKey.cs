namespace Messaging.Domain.Attachments;

/// <summary>Where an attachment's bytes are kept: derived from its id, so no store needs to remember it.</summary>
public static class AttachmentStorageKey
{
    public static string For(string attachmentId) => $"attachments/{attachmentId}";
}
