using System.Globalization;
using Messaging.Domain.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Messaging.Functions.Http;

/// <summary>
/// Responses written the same way under the Functions host and the standalone server, with the
/// API's JSON options, independent of either host's defaults.
/// </summary>
public static class ApiResults
{
    public static IResult Ok<T>(T value) => TypedResults.Json(value, ApiJson.Options, statusCode: StatusCodes.Status200OK);

    public static IResult Created<T>(T value) => TypedResults.Json(value, ApiJson.Options, statusCode: StatusCodes.Status201Created);

    public static IResult Accepted<T>(T value) => TypedResults.Json(value, ApiJson.Options, statusCode: StatusCodes.Status202Accepted);

    public static IResult NoContent() => Results.StatusCode(StatusCodes.Status204NoContent);

    public static IResult From<T>(Result<T> result, Func<T, IResult> onSuccess) =>
        result.IsSuccess ? onSuccess(result.Value) : Problem(result.Error);

    public static IResult From(Outcome outcome, Func<IResult> onSuccess) =>
        outcome.IsSuccess ? onSuccess() : Problem(outcome.Error);

    /// <summary>The one place where expected failures become RFC 9457 problem details.</summary>
    public static IResult Problem(Error error)
    {
        var (status, title) = error.Kind switch
        {
            ErrorKind.Invalid => (StatusCodes.Status400BadRequest, "Invalid request"),
            ErrorKind.NotFound => (StatusCodes.Status404NotFound, "Not found"),
            ErrorKind.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden"),
            ErrorKind.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
            ErrorKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, "Payload too large"),
            ErrorKind.UnsupportedMediaType => (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"),
            _ => (StatusCodes.Status429TooManyRequests, "Too many requests"),
        };
        var problem = ProblemOf(status, title, error.Detail, error.FieldErrors);
        return error.RetryAfter is { } wait
            ? new WithHeaders(problem, headers => headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture))
            : problem;
    }

    public static IResult Unauthorized(string detail) =>
        new WithHeaders(ProblemOf(StatusCodes.Status401Unauthorized, "Unauthorized", detail, null), headers => headers.WWWAuthenticate = "Bearer");

    public static IResult ServerError(string traceId) =>
        ProblemOf(StatusCodes.Status500InternalServerError, "Internal server error", $"An unexpected error occurred. Trace id: {traceId}.", null);

    public static IResult ServiceUnavailable(string detail) => ProblemOf(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail, null);

    /// <summary>
    /// <c>{type, title, status, detail}</c>, and <c>errors</c> (field: messages) when the error names
    /// fields. Written by ASP.NET Core with the host's HTTP JSON options, whose escaping is the API's
    /// (<c>AddMessaging</c>).
    /// </summary>
    private static ProblemHttpResult ProblemOf(int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors)
    {
        var problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors.ToDictionary());
        problem.Type = $"https://httpstatuses.io/{status}";
        problem.Title = title;
        problem.Status = status;
        problem.Detail = detail;
        return TypedResults.Problem(problem);
    }

    /// <summary>
    /// Response headers beside a problem (<c>Retry-After</c>, <c>WWW-Authenticate</c>): the framework's
    /// problem result takes none, so they are set before it writes.
    /// </summary>
    private sealed class WithHeaders(IResult problem, Action<IHeaderDictionary> headers) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            headers(httpContext.Response.Headers);
            return problem.ExecuteAsync(httpContext);
        }
    }
}
