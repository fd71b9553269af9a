using System.Globalization;
using Messaging.Domain.Common;
using Microsoft.AspNetCore.Http;

namespace Messaging.Functions.Http;

/// <summary>A page of the API: <c>{ value, nextLink }</c>.</summary>
public sealed record PageBody<T>(IReadOnlyList<T> Value, string? NextLink);

public static class Paging
{
    public const int MaxLimit = 100;

    public static Result<int> Limit(HttpRequest request, int defaultLimit, int maxLimit = MaxLimit)
    {
        var raw = request.Query["limit"];
        if (raw.Count == 0)
        {
            return defaultLimit;
        }

        return raw.Count == 1 && int.TryParse(raw[0], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= maxLimit
            ? limit
            : Error.Invalid("limit", $"limit must be a whole number from 1 to {maxLimit}.");
    }

    /// <summary>The link to the next page: the same path with the continuation query.</summary>
    public static string? NextLink(HttpRequest request, int limit, string name, string? value) =>
        value is null
            ? null
            : $"{request.PathBase}{request.Path}?limit={limit}&{name}={Uri.EscapeDataString(value)}";
}
