namespace Messaging.Domain.Conversations;

/// <summary>
/// How conversation types and participant roles are spelled outside the process: in the API's
/// resources and events, and in stored documents. One spelling, both directions.
/// </summary>
public static class WireNames
{
    public const string Direct = "direct";
    public const string Group = "group";
    public const string Task = "task";
    public const string Owner = "owner";
    public const string Member = "member";

    public static string Of(ConversationType type) => type switch
    {
        ConversationType.Direct => Direct,
        ConversationType.Group => Group,
        ConversationType.Task => Task,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown conversation type."),
    };

    public static string Of(ParticipantRole role) => role == ParticipantRole.Owner ? Owner : Member;

    /// <summary>The type spelled <paramref name="name"/>; null for any other spelling.</summary>
    public static ConversationType? TypeNamed(string? name) => name switch
    {
        Direct => ConversationType.Direct,
        Group => ConversationType.Group,
        Task => ConversationType.Task,
        _ => null,
    };

    /// <summary><see cref="ParticipantRole.Owner"/> for <c>owner</c>; every other spelling is a member.</summary>
    public static ParticipantRole RoleNamed(string? name) => name == Owner ? ParticipantRole.Owner : ParticipantRole.Member;
}
