using System.Text.Json;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;

namespace Messaging.Functions.Realtime;

/// <summary>
/// The client-to-server methods of docs/api.md (<c>message.send</c>, <c>message.read</c>,
/// <c>typing.start</c>, <c>typing.stop</c>), shared by the standalone hub and the Azure SignalR
/// Service upstream: the same services as the REST twins, the same words in errors.
/// </summary>
public sealed class ClientInvocations(MessageService messages, TypingService typing)
{
    public static readonly IReadOnlyList<string> Methods = ["message.send", "message.read", "typing.start", "typing.stop"];

    /// <summary>Runs the method; the value is the invocation's result (null for typing).</summary>
    public async Task<Result<object?>> InvokeAsync(string userId, string method, JsonElement argument, CancellationToken cancellationToken)
    {
        switch (method)
        {
            case "message.send":
                {
                    var request = RequestBody.Parse<SendMessageRequest>(argument);
                    if (!request.IsSuccess)
                    {
                        return request.Error;
                    }

                    var sent = await messages.SendAsync(userId, request.Value.ConversationId, request.Value.Text, request.Value.AttachmentIds, request.Value.ClientMessageId, cancellationToken);
                    MessagingMetrics.RecordSent(sent, "realtime");
                    return sent.Map<object?>(s => s.Resource);
                }

            case "message.read":
                {
                    var request = RequestBody.Parse<MarkAsReadRequest>(argument);
                    return request.IsSuccess
                        ? (await messages.MarkReadAsync(userId, request.Value.MessageIds, request.Value.ConversationId, cancellationToken)).Map<object?>(r => r)
                        : request.Error;
                }

            case "typing.start" or "typing.stop":
                {
                    var request = RequestBody.Parse<TypingTarget>(argument);
                    return request.IsSuccess
                        ? (await typing.SetTypingAsync(userId, request.Value.ConversationId, method == "typing.start", cancellationToken)).Map<object?>(_ => null)
                        : request.Error;
                }

            default:
                return Error.Invalid("target", $"Unknown method '{method}'.");
        }
    }

    /// <summary>An error in the words of the REST problem's detail, with the fields it names.</summary>
    public static string Describe(Error error) =>
        error.FieldErrors is { Count: > 0 } fields
            ? $"{error.Detail} ({string.Join("; ", fields.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}"))})"
            : error.Detail;

    private sealed record TypingTarget(string ConversationId);
}
