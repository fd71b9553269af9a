namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// The purge of a deleted conversation, kept on its soft-deleted document: written by the delete in
/// the same batch as the soft delete, then moved on by the purger after each page, so a restart
/// resumes where the last page ended. The document keeps no <c>ttl</c> until the purge is done.
/// </summary>
internal sealed class PurgeState
{
    public string Phase { get; set; } = PurgePhases.Closing;

    /// <summary>Messages and client-message claims deleted so far.</summary>
    public long MessagesDeleted { get; set; }

    /// <summary>Attachment records (and their files) deleted so far.</summary>
    public long AttachmentsDeleted { get; set; }

    /// <summary>The purger instance working on it; another instance leaves it alone until <see cref="LeaseUntil"/>.</summary>
    public string? Owner { get; set; }

    public long LeaseUntil { get; set; }

    public long RequestedAt { get; set; }

    public long CheckpointAt { get; set; }

    public static PurgeState Requested(long at) => new() { RequestedAt = at, CheckpointAt = at };
}

/// <summary>The phases of a purge, in order.</summary>
internal static class PurgePhases
{
    /// <summary>Close the counter, remove the claim and the memberships (the request did this already unless it failed midway).</summary>
    public const string Closing = "closing";

    /// <summary>Delete the messages and client-message claims, a page per step.</summary>
    public const string Messages = "messages";

    /// <summary>Delete the attachment files and records of the conversation, a page per step.</summary>
    public const string Attachments = "attachments";

    /// <summary>Let the closed counter and the soft-deleted document expire: nothing of the conversation is left for a sequence to restart next to.</summary>
    public const string Finishing = "finishing";

    public const string Done = "done";
}
