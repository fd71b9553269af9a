using System.Text.Json;
using Messaging.Domain.Common;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// One message of SignalR's JSON hub protocol as Azure SignalR Service posts it upstream: an
/// invocation (type 1; no <see cref="InvocationId"/> when the client wants no answer) or a ping (type 6).
/// </summary>
public sealed record UpstreamMessage(bool IsPing, string? InvocationId, string Target, JsonElement Argument)
{
    public const byte RecordSeparator = 0x1E;

    private const int InvocationMessageType = 1;
    private const int PingMessageType = 6;

    /// <summary>Exactly one message, with or without its record separator.</summary>
    public static Result<UpstreamMessage> Parse(ReadOnlySpan<byte> body)
    {
        var records = body;
        while (records.Length > 0 && (records[^1] == RecordSeparator || records[^1] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t'))
        {
            records = records[..^1];
        }

        if (records.IndexOf(RecordSeparator) >= 0)
        {
            return Error.Invalid("body", "Exactly one hub protocol message is expected.");
        }

        try
        {
            using var document = JsonDocument.Parse(records.ToArray());
            return Read(document.RootElement);
        }
        catch (JsonException)
        {
            return Error.Invalid("body", "The body is not a JSON hub protocol message.");
        }
    }

    private static Result<UpstreamMessage> Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || !typeElement.TryGetInt32(out var type))
        {
            return Error.Invalid("type", "A hub protocol message with a numeric type is expected.");
        }

        if (type == PingMessageType)
        {
            return new UpstreamMessage(true, null, "", default);
        }

        if (type != InvocationMessageType)
        {
            return Error.Invalid("type", "Only invocation messages are handled.");
        }

        if (!root.TryGetProperty("target", out var target) || target.ValueKind != JsonValueKind.String)
        {
            return Error.Invalid("target", "The invocation has no target.");
        }

        string? invocationId = null;
        if (root.TryGetProperty("invocationId", out var id) && id.ValueKind != JsonValueKind.Null)
        {
            if (id.ValueKind != JsonValueKind.String)
            {
                return Error.Invalid("invocationId", "The invocation id must be a string.");
            }

            invocationId = id.GetString();
        }

        var argument = root.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.Array && arguments.GetArrayLength() > 0
            ? arguments[0].Clone()
            : default;
        return new UpstreamMessage(false, invocationId, target.GetString()!, argument);
    }
}
