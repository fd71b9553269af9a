using Messaging.Domain.Presence;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Messaging.Functions.Endpoints;

public sealed record PresenceBody(IReadOnlyList<PresenceResource> Value);

public sealed class PresenceFunctions(PresenceQuery presence)
{
    [Function("GetPresence")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/presence")] HttpRequest req, CancellationToken cancellationToken)
    {
        var userIds = req.Query["userIds"];
        if (userIds.Count > 1)
        {
            return ApiResults.Problem(Domain.Common.Error.Invalid("userIds", "Give userIds once, as one comma-separated list."));
        }

        return ApiResults.From(await presence.GetAsync(req.UserId(), userIds.FirstOrDefault(), cancellationToken), list => ApiResults.Ok(new PresenceBody(list)));
    }
}
