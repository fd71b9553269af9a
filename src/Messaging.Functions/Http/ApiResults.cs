using System.Text.Json;
using Messaging.Domain.Common;
using Microsoft.AspNetCore.Http;

namespace Messaging.Functions.Http;

/// <summary>
/// Responses written the same way under the Functions host and the standalone server, with the
/// API's JSON options, independent of either host's defaults.
/// </summary>
public static class ApiResults
{
    public static IResult Ok<T>(T value) => new JsonBody<T>(value, StatusCodes.Status200OK);

    public static IResult Created<T>(T value) => new JsonBody<T>(value, StatusCodes.Status201Created);

    public static IResult Accepted<T>(T value) => new JsonBody<T>(value, StatusCodes.Status202Accepted);

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
        var retryAfter = error.RetryAfter is { } wait
            ? (Action<IHeaderDictionary>)(headers => headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : null;
        return new ProblemBody(new ProblemDetailsBody(ProblemType(status), title, status, error.Detail, error.FieldErrors), retryAfter);
    }

    public static IResult Unauthorized(string detail) =>
        new ProblemBody(
            new ProblemDetailsBody(ProblemType(401), "Unauthorized", 401, detail, null),
            headers => headers.WWWAuthenticate = "Bearer");

    public static IResult ServerError(string traceId) =>
        new ProblemBody(new ProblemDetailsBody(ProblemType(500), "Internal server error", 500, $"An unexpected error occurred. Trace id: {traceId}.", null), null);

    public static IResult ServiceUnavailable(string detail) =>
        new ProblemBody(new ProblemDetailsBody(ProblemType(503), "Service unavailable", 503, detail, null), null);

    private static string ProblemType(int status) => $"https://httpstatuses.io/{status}";

    private sealed class JsonBody<T>(T value, int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(httpContext.Response.Body, value, ApiJson.Options, httpContext.RequestAborted);
        }
    }

    private sealed class ProblemBody(ProblemDetailsBody problem, Action<IHeaderDictionary>? headers) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = problem.Status;
            httpContext.Response.ContentType = "application/problem+json; charset=utf-8";
            headers?.Invoke(httpContext.Response.Headers);
            await JsonSerializer.SerializeAsync(httpContext.Response.Body, problem, ApiJson.Options, httpContext.RequestAborted);
        }
    }
}

/// <summary>RFC 9457 problem details.</summary>
public sealed record ProblemDetailsBody(
    string Type,
    string Title,
    int Status,
    string Detail,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, string[]>? Errors);
