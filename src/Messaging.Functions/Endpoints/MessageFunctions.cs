using Messaging.Domain.Application;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Messaging.Functions.Endpoints;

public sealed class MessageFunctions(MessageService messages)
{
    private const int DefaultRepliesPageSize = 50;

    [Function("SendMessage")]
    public async Task<IResult> Send(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/messages")] HttpRequest req, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<SendMessageRequest>(req, cancellationToken);
        if (!body.IsSuccess)
        {
            return ApiResults.Problem(body.Error);
        }

        var sent = await messages.SendAsync(
            req.UserId(), body.Value.ConversationId, body.Value.Text, body.Value.AttachmentIds, body.Value.ClientMessageId, body.Value.Addenda, cancellationToken);
        MessagingMetrics.RecordSent(sent, "http");
        return ApiResults.From(sent, r => r.Created ? ApiResults.Created(r.Resource) : ApiResults.Ok(r.Resource));
    }

    [Function("GetMessage")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/messages/{id}")] HttpRequest req,
        string id, CancellationToken cancellationToken) =>
        ApiResults.From(await messages.GetAsync(req.UserId(), id, cancellationToken), ApiResults.Ok);

    [Function("EditMessage")]
    public async Task<IResult> Edit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "messaging/messages/{id}")] HttpRequest req, string id, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<EditMessageRequest>(req, cancellationToken);
        return body.IsSuccess
            ? ApiResults.From(
                await messages.EditAsync(req.UserId(), id, new SendAddenda(null, body.Value.Mentions, body.Value.Metadata), body.Value.Text, cancellationToken),
                ApiResults.Ok)
            : ApiResults.Problem(body.Error);
    }

    [Function("ListReplies")]
    public async Task<IResult> Replies(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/messages/{id}/replies")] HttpRequest req,
        string id, CancellationToken cancellationToken)
    {
        var limit = Paging.Limit(req, DefaultRepliesPageSize);
        if (!limit.IsSuccess)
        {
            return ApiResults.Problem(limit.Error);
        }

        var page = await messages.ListRepliesAsync(req.UserId(), id, limit.Value, req.Query["continuationToken"].FirstOrDefault(), cancellationToken);
        return ApiResults.From(page, p => ApiResults.Ok(new PageBody<MessageResource>(p.Items, Paging.NextLink(req, limit.Value, "continuationToken", p.ContinuationToken))));
    }

    [Function("DeleteMessage")]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "messaging/messages/{id}")] HttpRequest req,
        string id, CancellationToken cancellationToken) =>
        ApiResults.From(await messages.DeleteAsync(req.UserId(), id, cancellationToken), _ => ApiResults.NoContent());

    [Function("DeleteMessageLegacy")]
    public Task<IResult> DeleteLegacy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", "options", Route = "messaging/messages/{id}/delete")] HttpRequest req,
        string id, CancellationToken cancellationToken) =>
        Delete(req, id, cancellationToken);

    [Function("MarkAsRead")]
    public async Task<IResult> MarkAsRead(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/messages/mark_as_read")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<MarkAsReadRequest>(req, cancellationToken);
        return body.IsSuccess
            ? ApiResults.From(await messages.MarkReadAsync(req.UserId(), body.Value.MessageIds, body.Value.ConversationId, cancellationToken), ApiResults.Ok)
            : ApiResults.Problem(body.Error);
    }

    [Function("GetUnreadCount")]
    public async Task<IResult> UnreadCount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/messages/unread_count")] HttpRequest req,
        CancellationToken cancellationToken) =>
        ApiResults.Ok(await messages.CountUnreadAsync(req.UserId(), cancellationToken));
}
