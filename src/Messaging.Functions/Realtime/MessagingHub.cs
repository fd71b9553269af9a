using System.Text.Json;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Functions.Functions;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.SignalR;

namespace Messaging.Functions.Realtime;

/// <summary>
/// The standalone server's SignalR hub. Server-to-client events come from the change fan-out;
/// the client-to-server methods run the same services as their REST twins.
/// </summary>
public sealed class MessagingHub(MessageService messages, TypingService typing) : Hub
{
    public const string Path = "/api/messaging/hub";

    [HubMethodName("message.send")]
    public async Task<MessageResource> SendMessage(JsonElement argument)
    {
        var request = Parse<SendMessageRequest>(argument);
        var sent = await messages.SendAsync(UserId, request.ConversationId, request.Text, request.AttachmentIds, request.ClientMessageId, Context.ConnectionAborted);
        return Unwrap(sent).Resource;
    }

    [HubMethodName("message.read")]
    public async Task<MarkReadResult> MarkRead(JsonElement argument)
    {
        var request = Parse<MarkAsReadRequest>(argument);
        return Unwrap(await messages.MarkReadAsync(UserId, request.MessageIds, request.ConversationId, Context.ConnectionAborted));
    }

    [HubMethodName("typing.start")]
    public async Task TypingStart(JsonElement argument) =>
        Unwrap(await typing.SetTypingAsync(UserId, Parse<TypingTarget>(argument).ConversationId, true, Context.ConnectionAborted));

    [HubMethodName("typing.stop")]
    public async Task TypingStop(JsonElement argument) =>
        Unwrap(await typing.SetTypingAsync(UserId, Parse<TypingTarget>(argument).ConversationId, false, Context.ConnectionAborted));

    private string UserId => Context.UserIdentifier ?? throw new HubException("Not authenticated.");

    private static T Parse<T>(JsonElement argument)
    {
        var parsed = RequestBody.Parse<T>(argument);
        return parsed.IsSuccess ? parsed.Value : throw new HubException(Describe(parsed.Error!));
    }

    private static T Unwrap<T>(Result<T> result) =>
        result.IsSuccess ? result.Value : throw new HubException(Describe(result.Error!));

    // The same words as the REST problem's detail, with the fields it names.
    private static string Describe(Error error) =>
        error.FieldErrors is { Count: > 0 } fields
            ? $"{error.Detail} ({string.Join("; ", fields.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}"))})"
            : error.Detail;

    private sealed record TypingTarget(string ConversationId);
}
