namespace Messaging.Domain.Common;

/// <summary>Opaque, time-ordered identifiers.</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString("N");

    /// <summary>User ids and entity ids are opaque strings; this bounds them so hostile input stays harmless.</summary>
    public static bool IsWellFormed(string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= 128 && !id.Any(char.IsControl);
}
