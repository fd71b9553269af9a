using Messaging.Domain.Application;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Messaging.Functions.Endpoints;

/// <summary>
/// A participant's reactions to a message. The reaction is a route segment: an emoji arrives
/// percent-encoded (UTF-8) and is decoded by the host before it reaches the service.
/// </summary>
public sealed class ReactionFunctions(ReactionService reactions)
{
    [Function("AddReaction")]
    public async Task<IResult> Add(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", "options", Route = "messaging/messages/{id}/reactions/{reaction}")] HttpRequest req,
        string id, string reaction, CancellationToken cancellationToken) =>
        ApiResults.From(await reactions.AddAsync(req.UserId(), id, reaction, cancellationToken), ApiResults.Ok);

    [Function("RemoveReaction")]
    public async Task<IResult> Remove(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "messaging/messages/{id}/reactions/{reaction}")] HttpRequest req,
        string id, string reaction, CancellationToken cancellationToken) =>
        ApiResults.From(await reactions.RemoveAsync(req.UserId(), id, reaction, cancellationToken), ApiResults.Ok);
}
