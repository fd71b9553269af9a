using System.Text.Json;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;

namespace Messaging.Functions.Realtime;

/// <summary>
/// The client-to-server methods of docs/api.md (<see cref="HubMethods"/>), shared by the standalone
/// hub and the Azure SignalR Service upstream: the same services as the REST twins, the same words
/// in errors.
/// </summary>
public sealed class ClientInvocations(MessageService messages, TypingService typing, ReactionService reactions)
{
    /// <summary><c>message.send</c>: the sent (or, for a repeated <c>clientMessageId</c>, the earlier) message.</summary>
    public async Task<Result<MessageResource>> SendAsync(string userId, JsonElement argument, CancellationToken cancellationToken)
    {
        var request = RequestBody.Parse<SendMessageRequest>(argument);
        if (!request.IsSuccess)
        {
            return request.Error;
        }

        var body = request.Value;
        var sent = await messages.SendAsync(userId, body.ConversationId, body.Text, body.AttachmentIds, body.ClientMessageId, body.Addenda, cancellationToken);
        MessagingMetrics.RecordSent(sent, "realtime");
        return sent.Map(s => s.Resource);
    }

    /// <summary><c>message.read</c>: the watermarks in force afterwards.</summary>
    public async Task<Result<MarkReadResult>> MarkReadAsync(string userId, JsonElement argument, CancellationToken cancellationToken)
    {
        var request = RequestBody.Parse<MarkAsReadRequest>(argument);
        return request.IsSuccess
            ? await messages.MarkReadAsync(userId, request.Value.MessageIds, request.Value.ConversationId, cancellationToken)
            : request.Error;
    }

    /// <summary><c>typing.start</c> and <c>typing.stop</c>: no value.</summary>
    public async Task<Outcome> SetTypingAsync(string userId, JsonElement argument, bool isTyping, CancellationToken cancellationToken)
    {
        var request = RequestBody.Parse<TypingTarget>(argument);
        if (!request.IsSuccess)
        {
            return request.Error;
        }

        var set = await typing.SetTypingAsync(userId, request.Value.ConversationId, isTyping, cancellationToken);
        return set.IsSuccess ? Outcome.Success : set.Error;
    }

    /// <summary><c>reaction.add</c> and <c>reaction.remove</c>: the message afterwards, as the caller sees it.</summary>
    public async Task<Result<MessageResource>> ReactAsync(string userId, JsonElement argument, bool add, CancellationToken cancellationToken)
    {
        var request = RequestBody.Parse<ReactionRequest>(argument);
        if (!request.IsSuccess)
        {
            return request.Error;
        }

        var (messageId, reaction) = (request.Value.MessageId, request.Value.Reaction);
        return add
            ? await reactions.AddAsync(userId, messageId, reaction, cancellationToken)
            : await reactions.RemoveAsync(userId, messageId, reaction, cancellationToken);
    }

    /// <summary>Runs the method named by the caller (the upstream's target); the value is the invocation's result (null for typing).</summary>
    public async Task<Result<object?>> InvokeAsync(string userId, string method, JsonElement argument, CancellationToken cancellationToken) => method switch
    {
        HubMethods.MessageSend => (await SendAsync(userId, argument, cancellationToken)).Map<object?>(sent => sent),
        HubMethods.MessageRead => (await MarkReadAsync(userId, argument, cancellationToken)).Map<object?>(read => read),
        HubMethods.TypingStart or HubMethods.TypingStop =>
            await SetTypingAsync(userId, argument, method == HubMethods.TypingStart, cancellationToken) is { IsSuccess: false } refused
                ? refused.Error
                : Result<object?>.Success(null),
        HubMethods.ReactionAdd or HubMethods.ReactionRemove =>
            (await ReactAsync(userId, argument, method == HubMethods.ReactionAdd, cancellationToken)).Map<object?>(message => message),
        _ => Error.Invalid("target", $"Unknown method '{method}'."),
    };

    /// <summary>An error in the words of the REST problem's detail, with the fields it names.</summary>
    public static string Describe(Error error) =>
        error.FieldErrors is { Count: > 0 } fields
            ? $"{error.Detail} ({string.Join("; ", fields.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}"))})"
            : error.Detail;

    private sealed record TypingTarget(string ConversationId);
}
