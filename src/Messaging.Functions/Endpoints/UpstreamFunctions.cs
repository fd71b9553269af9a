using System.Buffers;
using System.Text.Json;
using Messaging.Domain.Common;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Messaging.Functions.Endpoints;

/// <summary>
/// Azure SignalR Service (serverless) upstream: <c>connected</c>/<c>disconnected</c> events and client
/// invocations. Not behind the bearer check: the service authenticates itself (see
/// <see cref="UpstreamAuthenticator"/>). An invocation runs <see cref="ClientInvocations"/> as the user of
/// <c>X-ASRS-User-Id</c> and is answered with a SignalR JSON completion message
/// (<c>{"type":3,"invocationId","result"|"error"}</c> and the record separator 0x1E); a non-blocking
/// invocation (no invocationId) is answered with an empty 200.
/// </summary>
public sealed class UpstreamFunctions(
    UpstreamAuthenticator authenticator, ClientInvocations invocations, ILogger<UpstreamFunctions> logger, MembershipHealer? healer = null)
{
    public const string UserIdHeader = "X-ASRS-User-Id";
    public const byte RecordSeparator = 0x1E;

    /// <summary>The service sends at most 1 MB per message.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const int InvocationMessageType = 1;
    private const int CompletionMessageType = 3;
    private const int PingMessageType = 6;

    [Function("SignalRUpstream")]
    [AllowAnonymous]
    public async Task<IResult> Upstream(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "messaging/upstream/{hub}/{category}/{event}")] HttpRequest req,
        string hub, string category, string @event, CancellationToken cancellationToken)
    {
        if (await authenticator.ValidateAsync(req) is { } failure)
        {
            Log.UpstreamRejected(logger, req.Path, failure);
            return ApiResults.Unauthorized(failure);
        }

        if (!string.Equals(hub, SignalRRestClient.Hub, StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(new Error(ErrorKind.NotFound, $"Hub '{hub}' is not served here."));
        }

        if (string.Equals(category, "connections", StringComparison.OrdinalIgnoreCase))
        {
            return await ConnectionEventAsync(req, @event, cancellationToken);
        }

        if (!string.Equals(category, "messages", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(Error.Invalid("category", $"Unknown category '{category}'."));
        }

        return await InvokeAsync(req, @event, cancellationToken);
    }

    /// <summary>
    /// A new connection: the user's groups are set again from the committed participant lists, so
    /// mappings the service lost heal on every connect. Conversation groups hold users, so nothing
    /// is needed when a connection closes.
    /// </summary>
    private async Task<IResult> ConnectionEventAsync(HttpRequest req, string @event, CancellationToken cancellationToken)
    {
        switch (@event.ToUpperInvariant())
        {
            case "CONNECTED":
                if (healer is not null && req.Headers[UserIdHeader].ToString() is { Length: > 0 } userId)
                {
                    await healer.HealAsync(userId, cancellationToken);
                }

                return Results.Ok();
            case "DISCONNECTED":
                return Results.Ok();
            default:
                return ApiResults.Problem(Error.Invalid("event", $"Unknown connection event '{@event}'."));
        }
    }

    private async Task<IResult> InvokeAsync(HttpRequest req, string @event, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(req.ContentType, out var media) || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(new Error(ErrorKind.UnsupportedMediaType, "Only the JSON hub protocol is supported (Content-Type: application/json)."));
        }

        var body = await ReadBodyAsync(req, cancellationToken);
        if (body is null)
        {
            return ApiResults.Problem(Error.TooLarge($"The message exceeds {MaxBodyBytes} bytes."));
        }

        var message = Parse(body);
        if (!message.IsSuccess)
        {
            return ApiResults.Problem(message.Error);
        }

        var (type, invocationId, target, argument) = message.Value;
        if (type == PingMessageType)
        {
            return Results.Ok();
        }

        if (!string.Equals(target, @event, StringComparison.OrdinalIgnoreCase))
        {
            return ApiResults.Problem(Error.Invalid("target", "The invocation's target differs from the event of the URL."));
        }

        var userId = req.Headers[UserIdHeader].ToString();
        Result<object?> result;
        if (string.IsNullOrEmpty(userId))
        {
            result = new Error(ErrorKind.Invalid, "Not authenticated.");
        }
        else
        {
            try
            {
                result = await invocations.InvokeAsync(userId, target, argument, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.UpstreamInvocationFailed(logger, exception, target, userId);
                result = new Error(ErrorKind.Invalid, "An unexpected error occurred.");
            }
        }

        return invocationId is null
            ? Results.Ok()
            : new Completion(CompletionBytes(invocationId, result.IsSuccess ? result.Value : null, result.IsSuccess ? null : ClientInvocations.Describe(result.Error)));
    }

    /// <summary>The body, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest req, CancellationToken cancellationToken)
    {
        if (req.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await req.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        return buffer.ToArray();
    }

    /// <summary>One JSON hub protocol message, with or without its record separator.</summary>
    private static Result<(int Type, string? InvocationId, string Target, JsonElement Argument)> Parse(byte[] body)
    {
        var records = body.AsSpan();
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
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || !typeElement.TryGetInt32(out var type))
            {
                return Error.Invalid("type", "A hub protocol message with a numeric type is expected.");
            }

            if (type == PingMessageType)
            {
                return (type, null, "", default);
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
            return (type, invocationId, target.GetString()!, argument);
        }
        catch (JsonException)
        {
            return Error.Invalid("body", "The body is not a JSON hub protocol message.");
        }
    }

    /// <summary>A completion message of the JSON hub protocol, the result in the API's JSON shape, terminated by 0x1E.</summary>
    public static byte[] CompletionBytes(string invocationId, object? result, string? error)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = ApiJson.Options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", CompletionMessageType);
            writer.WriteString("invocationId", invocationId);
            if (error is not null)
            {
                writer.WriteString("error", error);
            }
            else if (result is not null)
            {
                writer.WritePropertyName("result");
                JsonSerializer.Serialize(writer, result, result.GetType(), ApiJson.Options);
            }

            writer.WriteEndObject();
        }

        buffer.Write([RecordSeparator]);
        return buffer.WrittenSpan.ToArray();
    }

    private sealed class Completion(byte[] body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted);
        }
    }
}
