using Messaging.Domain.Application;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Messaging.Functions.Endpoints;

public sealed record TypingRequest(bool IsTyping);

public sealed class RealtimeFunctions(INegotiator negotiator, TypingService typing)
{
    [Function("Negotiate")]
    public async Task<IResult> Negotiate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/negotiate")] HttpRequest req, CancellationToken cancellationToken)
    {
        NegotiateResponse? answer;
        try
        {
            answer = await negotiator.NegotiateAsync(req, req.UserId(), cancellationToken);
        }
        catch (SignalRServiceException)
        {
            // Logged by the REST client; the client retries negotiation.
            return ApiResults.ServiceUnavailable("Azure SignalR Service is not reachable right now; try again shortly.");
        }

        return answer is null
            ? ApiResults.ServiceUnavailable("Real time is not configured on this host: set AzureSignalRConnectionString.")
            : ApiResults.Ok(answer);
    }

    [Function("SendTyping")]
    public async Task<IResult> Typing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/conversations/{id}/typing")] HttpRequest req,
        string id, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync<TypingRequest>(req, cancellationToken);
        return body.IsSuccess
            ? ApiResults.From(await typing.SetTypingAsync(req.UserId(), id, body.Value.IsTyping, cancellationToken), ApiResults.Accepted)
            : ApiResults.Problem(body.Error);
    }
}
