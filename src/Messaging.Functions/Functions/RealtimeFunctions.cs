using Messaging.Domain.Application;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Messaging.Functions.Functions;

public sealed record TypingRequest(bool IsTyping);

public sealed class RealtimeFunctions(INegotiator negotiator, TypingService typing)
{
    [Function("Negotiate")]
    public IResult Negotiate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/negotiate")] HttpRequest req)
    {
        var answer = negotiator.Negotiate(req, req.UserId());
        return answer is null
            ? ApiResults.ServiceUnavailable("Real time is not configured on this host: set AzureSignalRConnectionString.")
            : ApiResults.Ok(answer);
    }

    [Function("SendTyping")]
    public async Task<IResult> Typing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/conversations/{id}/typing")] HttpRequest req, string id, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<TypingRequest>(req, cancellationToken);
        return body.IsSuccess
            ? ApiResults.From(await typing.SetTypingAsync(req.UserId(), id, body.Value.IsTyping, cancellationToken), ApiResults.Accepted)
            : ApiResults.Problem(body.Error!);
    }
}
