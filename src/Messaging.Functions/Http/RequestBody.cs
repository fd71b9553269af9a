using System.Buffers;
using System.Text.Json;
using Messaging.Domain.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Messaging.Functions.Http;

/// <summary>Reads a JSON request body into a request type, turning every way it can be wrong into an <see cref="Error"/>.</summary>
public static class RequestBody
{
    public const int MaxJsonBytes = 1024 * 1024;

    private const int MaxPreallocatedBytes = 64 * 1024;

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return new Error(ErrorKind.UnsupportedMediaType, "The request body must be JSON (Content-Type: application/json).");
        }

        if (await ReadBytesAsync(request, MaxJsonBytes, cancellationToken) is not { } body)
        {
            return Error.TooLarge($"The request body exceeds {MaxJsonBytes} bytes.");
        }

        if (body.Length == 0)
        {
            return Error.Invalid("body", "A JSON request body is required.");
        }

        return Deserialize<T>(body);
    }

    /// <summary>The whole body, or null when it is larger than <paramref name="maxBytes"/> (told by its length, or found while reading).</summary>
    public static async Task<byte[]?> ReadBytesAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        if (request.ContentLength is { } declared and <= MaxPreallocatedBytes)
        {
            // The server holds the client to its Content-Length, so a small body fits one array of that size: a send of a
            // few hundred bytes allocates those bytes only. A larger one is buffered as it arrives, not on the client's word.
            return await ReadDeclaredAsync(request.Body, (int)declared, cancellationToken);
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private static async Task<byte[]> ReadDeclaredAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        var bytes = new byte[length];
        var filled = await body.ReadAtLeastAsync(bytes, length, throwOnEndOfStream: false, cancellationToken);
        return filled == length ? bytes : bytes[..filled];
    }

    /// <summary>Binds a hub invocation's argument with the same rules as a request body.</summary>
    public static Result<T> Parse<T>(JsonElement argument) =>
        argument.ValueKind == JsonValueKind.Object
            ? Deserialize<T>(System.Text.Encoding.UTF8.GetBytes(argument.GetRawText()))
            : Error.Invalid("body", "The argument must be a JSON object.");

    private static Result<T> Deserialize<T>(ReadOnlySpan<byte> json)
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, ApiJson.Options);
            return value is null ? Error.Invalid("body", "The request body must be a JSON object.") : value;
        }
        catch (JsonException exception)
        {
            var missing = MissingProperties(exception.Message);
            var errors = missing.Count > 0
                ? missing.ToDictionary(name => name, name => new[] { $"{name} is required." })
                : new Dictionary<string, string[]> { [FieldOf(exception.Path)] = [Describe(exception)] };
            return new Error(ErrorKind.Invalid, "The request body is not valid JSON for this operation.", errors);
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) ?? false));

    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        return bracket > 0 ? field[..bracket] : field;
    }

    // JsonException messages name the CLR type; say it in the API's words instead.
    private static string Describe(JsonException exception) =>
        exception.Path is null or "$" ? "The body is malformed JSON or not an object." : "The value has the wrong type or is malformed.";

    // "JSON deserialization for type 'X' was missing required properties including: 'a', 'b'."
    private static List<string> MissingProperties(string message)
    {
        const string marker = "missing required properties";
        var at = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return [];
        }

        var list = message[(at + marker.Length)..];
        var colon = list.IndexOf(':', StringComparison.Ordinal);
        return [.. list[(colon + 1)..].Split(',').Select(n => n.Trim().TrimEnd('.').Trim('\'')).Where(n => n.Length > 0)];
    }
}
