using System.Globalization;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Messaging.Functions.Endpoints;

public sealed class ConversationFunctions(ConversationService conversations)
{
    private const int DefaultPageSize = 20;
    private const int DefaultMessagePageSize = 50;
    private const int DefaultParticipantPageSize = 100;
    private const int MaxParticipantPageSize = 500;

    [Function("ListConversations")]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/conversations")] HttpRequest req, CancellationToken cancellationToken)
    {
        var limit = Paging.Limit(req, DefaultPageSize);
        if (!limit.IsSuccess)
        {
            return ApiResults.Problem(limit.Error);
        }

        var page = await conversations.ListAsync(req.UserId(), limit.Value, req.Query["continuationToken"].FirstOrDefault(), cancellationToken);
        return ApiResults.From(page, p => ApiResults.Ok(new PageBody<ConversationResource>(p.Items, Paging.NextLink(req, limit.Value, "continuationToken", p.ContinuationToken))));
    }

    [Function("CreateGroupConversation")]
    public async Task<IResult> CreateGroup(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "messaging/conversations")] HttpRequest req, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<CreateGroupRequest>(req, cancellationToken);
        if (!body.IsSuccess)
        {
            return ApiResults.Problem(body.Error);
        }

        var created = await conversations.StartGroupAsync(req.UserId(), body.Value.Title, body.Value.ParticipantIds, body.Value.Metadata, cancellationToken);
        return ApiResults.From(created, ApiResults.Created);
    }

    [Function("GetConversation")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/conversations/{id}")] HttpRequest req,
        string id, CancellationToken cancellationToken) =>
        ApiResults.From(await conversations.GetAsync(req.UserId(), id, cancellationToken), ApiResults.Ok);

    [Function("DeleteConversation")]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "messaging/conversations/{id}")] HttpRequest req,
        string id, CancellationToken cancellationToken) =>
        ApiResults.From(await conversations.DeleteAsync(req.UserId(), id, cancellationToken), ApiResults.NoContent);

    [Function("ListMessages")]
    public async Task<IResult> ListMessages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/conversations/{id}/messages")] HttpRequest req,
        string id, CancellationToken cancellationToken)
    {
        var limit = Paging.Limit(req, DefaultMessagePageSize);
        if (!limit.IsSuccess)
        {
            return ApiResults.Problem(limit.Error);
        }

        long? after = null;
        if (req.Query.TryGetValue("after", out var afterValues))
        {
            if (afterValues.Count != 1 || !long.TryParse(afterValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return ApiResults.Problem(Error.Invalid("after", "after must be a sequence number (a whole number, 0 or more)."));
            }

            after = parsed;
        }

        var page = await conversations.ListMessagesAsync(req.UserId(), id, limit.Value, req.Query["continuationToken"].FirstOrDefault(), after, cancellationToken);
        var continuation = after is null ? "continuationToken" : "after";
        return ApiResults.From(page, p => ApiResults.Ok(new PageBody<MessageResource>(p.Items, Paging.NextLink(req, limit.Value, continuation, p.ContinuationToken))));
    }

    [Function("ListParticipants")]
    public async Task<IResult> ListParticipants(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/conversations/{id}/participants")] HttpRequest req,
        string id, CancellationToken cancellationToken)
    {
        var limit = Paging.Limit(req, DefaultParticipantPageSize, MaxParticipantPageSize);
        if (!limit.IsSuccess)
        {
            return ApiResults.Problem(limit.Error);
        }

        var page = await conversations.ListParticipantsAsync(req.UserId(), id, limit.Value, req.Query["continuationToken"].FirstOrDefault(), cancellationToken);
        return ApiResults.From(page, p => ApiResults.Ok(new PageBody<ParticipantResource>(p.Items, Paging.NextLink(req, limit.Value, "continuationToken", p.ContinuationToken))));
    }

    [Function("GetOrCreateDirectConversation")]
    public async Task<IResult> Direct(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/conversations/direct")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<DirectConversationRequest>(req, cancellationToken);
        if (!body.IsSuccess)
        {
            return ApiResults.Problem(body.Error);
        }

        var result = await conversations.GetOrStartDirectAsync(req.UserId(), body.Value.UserId, cancellationToken);
        return ApiResults.From(result, r => r.Created ? ApiResults.Created(r.Resource) : ApiResults.Ok(r.Resource));
    }

    [Function("GetOrCreateTaskConversation")]
    public async Task<IResult> ForTask(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/conversations/task")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<TaskConversationRequest>(req, cancellationToken);
        if (!body.IsSuccess)
        {
            return ApiResults.Problem(body.Error);
        }

        var result = await conversations.GetOrStartForTaskAsync(req.UserId(), body.Value.TaskId, body.Value.Title, body.Value.ParticipantIds, cancellationToken);
        return ApiResults.From(result, r => r.Created ? ApiResults.Created(r.Resource) : ApiResults.Ok(r.Resource));
    }

    [Function("AddParticipant")]
    public async Task<IResult> AddParticipant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/conversations/{id}/add_participant")] HttpRequest req,
        string id, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<ParticipantRequest>(req, cancellationToken);
        return body.IsSuccess
            ? ApiResults.From(await conversations.AddParticipantAsync(req.UserId(), id, body.Value.UserId, cancellationToken), ApiResults.Ok)
            : ApiResults.Problem(body.Error);
    }

    [Function("RemoveParticipant")]
    public async Task<IResult> RemoveParticipant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/conversations/{id}/remove_participant")] HttpRequest req,
        string id, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<ParticipantRequest>(req, cancellationToken);
        return body.IsSuccess
            ? ApiResults.From(await conversations.RemoveParticipantAsync(req.UserId(), id, body.Value.UserId, cancellationToken), ApiResults.Ok)
            : ApiResults.Problem(body.Error);
    }

    [Function("UpdateTitle")]
    public async Task<IResult> UpdateTitle(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/conversations/{id}/update_title")] HttpRequest req,
        string id, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<TitleRequest>(req, cancellationToken);
        return body.IsSuccess
            ? ApiResults.From(await conversations.RenameAsync(req.UserId(), id, body.Value.Title, cancellationToken), ApiResults.Ok)
            : ApiResults.Problem(body.Error);
    }

    [Function("UpdateConversation")]
    public async Task<IResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "messaging/conversations/{id}")] HttpRequest req,
        string id, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<UpdateConversationRequest>(req, cancellationToken);
        return body.IsSuccess
            ? ApiResults.From(await conversations.UpdateAsync(req.UserId(), id, body.Value.Title, body.Value.Metadata, cancellationToken), ApiResults.Ok)
            : ApiResults.Problem(body.Error);
    }
}
