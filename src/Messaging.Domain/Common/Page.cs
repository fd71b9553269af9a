namespace Messaging.Domain.Common;

/// <summary>One page of a keyset-paged list; <see cref="ContinuationToken"/> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>Encodes keyset positions as opaque, URL-safe continuation tokens.</summary>
public static class ContinuationToken
{
    public static string Encode(string position) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(position))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string? token, out string position)
    {
        position = "";
        if (string.IsNullOrEmpty(token) || token.Length > 512)
        {
            return false;
        }

        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written))
        {
            return false;
        }

        try
        {
            position = new System.Text.UTF8Encoding(false, true).GetString(buffer, 0, written);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }
}
