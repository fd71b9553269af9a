using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Messaging.Functions.Http;

public static class Caller
{
    /// <summary>The authenticated user's id (the token's <c>sub</c>); the pipeline guarantees it on every protected function.</summary>
    public static string UserId(this HttpRequest request) =>
        request.HttpContext.User.FindFirstValue("sub")
        ?? throw new InvalidOperationException("The request was not authenticated; the function is missing from the pipeline's protection.");
}
