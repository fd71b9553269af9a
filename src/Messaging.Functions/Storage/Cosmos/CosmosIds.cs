using System.Security.Cryptography;
using System.Text;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>Document ids the store derives, so that a create conflict (409) decides a race.</summary>
internal static class CosmosIds
{
    public const string CounterId = "counter";

    /// <summary>The claim id of a pair of users' direct conversation.</summary>
    public static string Direct(string directKey) => "d-" + Hash(directKey);

    /// <summary>The claim id of a task's conversation.</summary>
    public static string Task(string taskId) => "t-" + Hash(taskId);

    /// <summary>The idempotency claim of (sender, client message id) within a conversation's partition.</summary>
    public static string ClientMessage(string senderId, string clientMessageId) => "cmid-" + Hash(senderId + "\u001f" + clientMessageId);

    /// <summary>One user's reaction of one kind to a message, so a second add of the same is a create conflict.</summary>
    public static string Reaction(string messageId, string userId, string reaction) => "r-" + Hash(messageId + "\u001f" + userId + "\u001f" + reaction);

    /// <summary>The list of reaction kinds a message has, beside it in the conversation's partition.</summary>
    public static string ReactionKinds(string messageId) => "rks-" + Hash(messageId);

    /// <summary>The counter of one reaction kind on a message.</summary>
    public static string ReactionCounter(string messageId, string reaction) => "rkc-" + Hash(messageId + "\u001f" + reaction);

    /// <summary>
    /// Whether an id from outside can name a document at all: Cosmos DB ids must not contain '/', '\',
    /// '?' or '#' (the request would address another resource or fail), so such ids are "not found"
    /// without a database call.
    /// </summary>
    public static bool CanBeDocumentId(string id) => id.Length is > 0 and <= 255 && id.IndexOfAny(['/', '\\', '?', '#']) < 0;

    /// <summary>Whether the id is one of the store's own claim documents (never a conversation the API can name).</summary>
    public static bool IsClaim(string id) =>
        id.Length == 42 && (id.StartsWith("d-", StringComparison.Ordinal) || id.StartsWith("t-", StringComparison.Ordinal)) && id[2..].All(char.IsAsciiHexDigitLower);

    // Ids must not contain '/', '\', '?' or '#' and are at most 255 characters: a hash of the key always fits.
    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
}
