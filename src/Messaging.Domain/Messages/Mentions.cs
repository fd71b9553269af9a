using Messaging.Domain.Common;

namespace Messaging.Domain.Messages;

/// <summary>The shape rules of a message's mentions: 1 to <see cref="Max"/> distinct user ids. Whether each is a participant is the service's check.</summary>
public static class Mentions
{
    public const int Max = 50;

    /// <summary>Validates the ids a client gave; an empty list is allowed only where it clears the mentions (an edit).</summary>
    public static Result<IReadOnlyList<string>> Validate(IReadOnlyList<string?>? userIds, bool allowEmpty)
    {
        if (userIds is null)
        {
            return Result<IReadOnlyList<string>>.Success([]);
        }

        if ((userIds.Count == 0 && !allowEmpty) || userIds.Count > Max)
        {
            return Error.Invalid("mentions", $"mentions must list 1 to {Max} participants.");
        }

        if (userIds.Any(id => !Ids.IsWellFormed(id)))
        {
            return Error.Invalid("mentions", "Every mention must be a user id.");
        }

        if (userIds.Distinct(StringComparer.Ordinal).Count() != userIds.Count)
        {
            return Error.Invalid("mentions", "mentions must not name a user twice.");
        }

        return Result<IReadOnlyList<string>>.Success([.. userIds!]);
    }
}
